import { docsUrl } from '../lib/docs-url';
import { checkContainers, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'image-pinned',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every container image names a tag other than latest, or a digest.',
  rationale: 'An unpinned image changes under a running platform without a commit; nodes pull different code and a rollback cannot go back.',
  remediation: 'Pin the image in environments/versions.yaml and use imageRef(ctx.versions, key).',
  docsUrl: docsUrl('image-pinned'),
  kinds: WORKLOAD_KINDS,
  check(object) {
    return checkContainers(object.manifest, ({ container, path }) => {
      const image = String(container.image ?? '');
      if (image.includes('@sha256:')) return [];
      const last = image.split('/').pop() ?? '';
      const tag = last.includes(':') ? last.split(':').pop() : undefined;
      if (!tag) return [{ message: `container ${container.name} (${path}.image) uses ${image || '(no image)'} without a tag.`, value: image }];
      if (tag === 'latest') return [{ message: `container ${container.name} (${path}.image) uses the latest tag.`, value: image }];
      return [];
    });
  },
};
