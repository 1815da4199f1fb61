import { RenderedObject } from '../../stacks/objects';
import { AppInstance, applicationOf, describeAt, instancesOf, isDestinationPermitted, isKindPermitted, isSourcePermitted, landingNamespace, Project, projectNamed } from '../lib/argocd';
import { groupOf } from '../data/crd-owners';
import { docsUrl } from '../lib/docs-url';
import { PolicyContext, RuleFinding, ObjectRule } from '../types';

const REFUSED = 'Argo CD refuses to sync the whole application';

export const rule: ObjectRule = {
  id: 'appproject-admission',
  scope: 'object',
  severity: 'error',
  pack: 'core',
  description:
    "Every object an Argo CD Application applies, rendered Helm charts included, is admitted by the Application's AppProject as Argo CD decides it: its kind by the cluster or namespace resource lists, its namespace (the Application's destination namespace when it has none) by the destinations, and every Application's sources and destination by sourceRepos and destinations.",
  rationale:
    'Argo CD checks each object against the project before it applies anything; one object in a namespace or of a kind the project does not grant (a chart exporter Service in kube-system, say) fails the sync of the whole Application, and everything in later waves waits behind it.',
  remediation:
    'Grant what the Application needs in its AppProject (a destination for the namespace, the cluster-scoped kind, the repository), or stop rendering the object (a Helm value that turns it off); grants are derived from the application descriptors (stacks/application.ts).',
  docsUrl: docsUrl('appproject-admission'),
  kinds: '*',
  check(object, ctx) {
    const application = applicationOf(object, ctx);
    const own = object.manifest.kind === 'Application' || object.manifest.kind === 'ApplicationSet' ? instancesOf(object, ctx).flatMap((i) => applicationFindings(i, ctx)) : [];
    if (!application) return own.length > 0 ? own : 'not-applicable';
    const findings = [...own];
    for (const instance of instancesOf(application, ctx)) {
      const project = projectNamed(instance.project, ctx);
      // A missing project is reported once, on the Application.
      if (project) findings.push(...objectFindings(object, instance, project, ctx));
    }
    return findings;
  },
};

function cluster(i: AppInstance): string {
  return i.server ?? i.clusterName ?? '(an unresolved cluster)';
}

function objectFindings(o: RenderedObject, instance: AppInstance, project: Project, ctx: PolicyContext): RuleFinding[] {
  const m = o.manifest;
  const group = groupOf(m.apiVersion ?? '');
  const namespace = landingNamespace(o, instance, ctx);
  const namespaced = namespace !== undefined;
  const what = describeAt(o, namespace);
  const gk = `${group || 'core'}/${m.kind}`;
  if (!isKindPermitted(project, group, m.kind, m.metadata?.name ?? '', namespaced)) {
    const lists = namespaced ? 'namespaceResourceWhitelist/namespaceResourceBlacklist' : 'clusterResourceWhitelist/clusterResourceBlacklist';
    return [
      {
        message: `${what} of application ${instance.name} is of ${namespaced ? 'namespaced' : 'cluster-scoped'} kind ${gk}, which AppProject ${project.name} does not admit (${lists}); ${REFUSED}.`,
        value: gk,
        fix: `Grant ${gk} in the ${lists.split('/')[0]} of AppProject ${project.name} (the clusterKinds of the application's descriptor), or stop rendering the object.`,
      },
    ];
  }
  if (!namespaced || isDestinationPermitted(project, { server: instance.server, name: instance.clusterName }, namespace)) return [];
  return [
    {
      message: `${what} of application ${instance.name} lands in namespace ${namespace || '(none)'} on ${cluster(instance)}, which AppProject ${project.name} does not permit as a destination; ${REFUSED} (namespace ${namespace} is not permitted in project '${project.name}').`,
      value: namespace,
      fix: `Add a destination for namespace ${namespace} on ${cluster(instance)} to AppProject ${project.name} (the renderedNamespaces of the application's Helm release), or keep the object out of that namespace.`,
    },
  ];
}

function applicationFindings(instance: AppInstance, ctx: PolicyContext): RuleFinding[] {
  const project = projectNamed(instance.project, ctx);
  if (!project) {
    return [{ message: `Application ${instance.name} belongs to AppProject ${instance.project}, which is not in the output; Argo CD refuses an application whose project does not exist.`, value: instance.project }];
  }
  const findings: RuleFinding[] = instance.repos
    .filter((repo) => !isSourcePermitted(project, repo))
    .map((repo) => ({
      message: `Application ${instance.name} reads repository ${repo}, which the sourceRepos of AppProject ${project.name} do not admit; Argo CD refuses the application.`,
      value: repo,
      fix: `Add ${repo} to the sourceRepos of AppProject ${project.name}.`,
    }));
  if (!isDestinationPermitted(project, { server: instance.server, name: instance.clusterName }, instance.namespace)) {
    findings.push({
      message: `Application ${instance.name} deploys to namespace ${instance.namespace || '(none)'} on ${cluster(instance)}, which AppProject ${project.name} does not permit as a destination; Argo CD refuses the application.`,
      value: `${cluster(instance)} ${instance.namespace}`,
      fix: `Add the destination to AppProject ${project.name}.`,
    });
  }
  return findings;
}
