import { docsUrl } from '../lib/docs-url';
import { containers, podTemplate, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

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
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { container, path } of containers(t)) {
      const image = String(container.image ?? '');
      if (image.includes('@sha256:')) continue;
      const last = image.split('/').pop() ?? '';
      const tag = last.includes(':') ? last.split(':').pop() : undefined;
      if (!tag) findings.push({ message: `container ${container.name} (${path}.image) uses ${image || '(no image)'} without a tag.`, value: image });
      else if (tag === 'latest') findings.push({ message: `container ${container.name} (${path}.image) uses the latest tag.`, value: image });
    }
    return findings;
  },
};
