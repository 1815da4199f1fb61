import { docsUrl } from '../lib/docs-url';
import { waveOf } from '../lib/ordering';
import { ObjectRule } from '../types';
import { named, ofKind, perEnvironment } from '../lib/lookup';

/** The argocd-cm key that makes Argo CD assess an Application's health (off by default since Argo CD 1.8). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

export const rule: ObjectRule = {
  id: 'application-wave-health',
  scope: 'object',
  severity: 'warning',
  pack: 'sync-waves',
  description: `Child Applications are put in different waves only when the Argo CD install carries the Application health customization (${APPLICATION_HEALTH_KEY}).`,
  rationale: 'Since Argo CD 1.8 an Application\'s health is not assessed, so a parent does not wait for a child to be healthy; waves on child Applications then order nothing.',
  remediation: `Install Argo CD with ${APPLICATION_HEALTH_KEY} in argocd-cm (gitplane's Pulumi bootstrap does), or ship that argocd-cm beside the manifests.`,
  docsUrl: docsUrl('application-wave-health'),
  kinds: ['Application'],
  check(_object, ctx) {
    const waves = perEnvironment(ctx, 'application-waves', () => new Set(ofKind(ctx, 'Application').map((o) => waveOf(o.manifest))));
    if (waves.size < 2) return 'not-applicable';
    // gitplane's own environments are installed by its Pulumi bootstrap, which sets the customization.
    if (ctx.spec) return [];
    const cm = named(ctx, 'ConfigMap', 'argocd-cm');
    const data = (cm?.manifest.data ?? {}) as Record<string, string>;
    if (APPLICATION_HEALTH_KEY in data) return [];
    return [{ message: `Applications use ${waves.size} different waves, but no argocd-cm with ${APPLICATION_HEALTH_KEY} is in the manifests, so the waves may not gate.`, value: [...waves].sort((a, b) => a - b).join(', ') }];
  },
};
