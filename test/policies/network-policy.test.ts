import { Manifest } from '../../stacks/objects';
import { Connection, Labels, PodRef, connect, policyTypes, selectorMatches, selectorText, unmetRequirements } from '../../policies/lib/network-policy';

/** A NetworkPolicy in `namespace` with this spec. */
function policy(namespace: string, spec: Record<string, unknown>, name = 'p'): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {}, ...spec } };
}

const prometheus: PodRef = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const loki: PodRef = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'loki' }, ports: [{ name: 'http-metrics', containerPort: 3100 }] };
const api: PodRef = { namespace: 'shop', labels: { app: 'api' }, ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] };
const NO_LABELS = new Map<string, Labels>();

const verdict = (policies: Manifest[], c: Connection, namespaces = NO_LABELS) => connect(policies, namespaces, c);
const allowed = (policies: Manifest[], c: Connection, namespaces = NO_LABELS) => connect(policies, namespaces, c).allowed;
const toApi = (port = 8080, from: PodRef = prometheus): Connection => ({ from, to: api, port });

describe('label selectors', () => {
  test('an empty selector selects every pod; matchLabels needs every pair', () => {
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1', b: '2' } }, { a: '1', b: '2', c: '3' })).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1', b: '2' } }, { a: '1' })).toBe(false);
  });

  test('expressions: In and NotIn on values (NotIn holds without the key), Exists and DoesNotExist on keys', () => {
    const e = (operator: string, values?: string[]) => ({ matchExpressions: [{ key: 'tier', operator, values }] });
    expect([selectorMatches(e('In', ['a', 'b']), { tier: 'b' }), selectorMatches(e('In', ['a']), { tier: 'b' }), selectorMatches(e('In', ['a']), {})]).toEqual([true, false, false]);
    expect([selectorMatches(e('NotIn', ['a']), { tier: 'b' }), selectorMatches(e('NotIn', ['a']), { tier: 'a' }), selectorMatches(e('NotIn', ['a']), {})]).toEqual([true, false, true]);
    expect([selectorMatches(e('Exists'), { tier: '' }), selectorMatches(e('Exists'), {})]).toEqual([true, false]);
    expect([selectorMatches(e('DoesNotExist'), { tier: 'x' }), selectorMatches(e('DoesNotExist'), {})]).toEqual([false, true]);
  });

  test('an expression with an operator Kubernetes does not know selects nothing (label-selector-operator reports it)', () => {
    const equals = { matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['a'] }] };
    expect([selectorMatches(equals, { tier: 'a' }), selectorMatches(equals, {})]).toEqual([false, false]);
  });

  test('a selector reads as kubectl -l takes it, and names the requirements some labels do not meet', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['api', 'db'] },
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    expect(selectorText(selector)).toBe('app=web,tier in (api,db),track notin (canary),team,!legacy');
    expect(selectorText({})).toBe('everything');
    expect(selectorText(unmetRequirements(selector, { app: 'web', tier: 'ui', team: 'a', legacy: 'yes' }))).toBe('tier in (api,db),!legacy');
    expect(selectorText(unmetRequirements(selector, { app: 'web', tier: 'db', team: 'a' }))).toBe('everything');
  });
});

describe('isolation', () => {
  test('a pod no policy selects accepts and opens every connection', () => {
    expect(allowed([], toApi())).toBe(true);
    expect(allowed([policy('shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })], toApi())).toBe(true);
    expect(allowed([policy('other', { policyTypes: ['Ingress'] })], toApi())).toBe(true);
  });

  test('fails when a default deny selects the receiver: the verdict names the direction and the policy', () => {
    const deny = policy('shop', { policyTypes: ['Ingress'] }, 'default-deny');
    expect(verdict([deny], toApi())).toEqual({ allowed: false, direction: 'Ingress', policies: [deny] });
  });

  test('policy types default to Ingress, plus Egress when the policy has egress rules', () => {
    expect(policyTypes(policy('shop', {}))).toEqual(['Ingress']);
    expect(policyTypes(policy('shop', { egress: [{}] }))).toEqual(['Ingress', 'Egress']);
    expect(policyTypes(policy('shop', { policyTypes: ['Egress'], ingress: [{}] }))).toEqual(['Egress']);
  });

  test('an Egress-only policy leaves the receiver open and isolates the sender', () => {
    const egressOnly = policy('monitoring', { policyTypes: ['Egress'] }, 'no-egress');
    expect(allowed([egressOnly], { from: api, to: loki, port: 3100 })).toBe(true);
    expect(verdict([egressOnly], toApi())).toEqual({ allowed: false, direction: 'Egress', policies: [egressOnly] });
  });

  test('policies add up: one that admits is enough, whatever the others deny', () => {
    const deny = policy('shop', { policyTypes: ['Ingress'] }, 'deny');
    const admit = policy('shop', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }, 'admit');
    expect(allowed([deny, admit], toApi())).toBe(true);
  });

  test('pods on the host network are never isolated, and reach isolated pods only through an ipBlock', () => {
    const node: PodRef = { ...prometheus, hostNetwork: true };
    const deny = policy('monitoring', { policyTypes: ['Ingress', 'Egress'] });
    expect(allowed([deny], { from: api, to: { ...loki, hostNetwork: true }, port: 3100 })).toBe(true);
    const fromEverywhere = policy('shop', { ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(allowed([fromEverywhere], toApi(8080, node))).toBe(false);
    expect(allowed([policy('shop', { ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })], toApi(8080, node))).toBe(true);
  });
});

describe('peers', () => {
  const admitting = (peer: Record<string, unknown>) => [policy('shop', { ingress: [{ from: [peer] }] })];

  test('a podSelector alone admits pods of the policy\'s own namespace only', () => {
    const peer = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } };
    expect(allowed(admitting(peer), toApi(8080, { ...prometheus, namespace: 'shop' }))).toBe(true);
    expect(allowed(admitting(peer), toApi())).toBe(false);
  });

  test('a namespaceSelector matches the implicit kubernetes.io/metadata.name label, and the Namespace objects\' labels', () => {
    expect(allowed(admitting({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }), toApi())).toBe(true);
    const byTeam = admitting({ namespaceSelector: { matchLabels: { team: 'observability' } } });
    expect(allowed(byTeam, toApi())).toBe(false);
    expect(allowed(byTeam, toApi(), new Map([['monitoring', { team: 'observability' }]]))).toBe(true);
  });

  test('namespaceSelector and podSelector in one peer both hold; in two peers either does', () => {
    const both = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } } };
    expect(allowed(admitting(both), toApi())).toBe(false);
    const either = [policy('shop', { ingress: [{ from: [{ namespaceSelector: both.namespaceSelector }, { podSelector: both.podSelector }] }] })];
    expect(allowed(either, toApi())).toBe(true);
  });

  test('a rule without peers admits every source; a policy without rules admits none', () => {
    expect(allowed([policy('shop', { ingress: [{ ports: [{ port: 8080 }] }] })], toApi())).toBe(true);
    expect(allowed([policy('shop', { ingress: [{ from: [] }] })], toApi())).toBe(true);
    expect(allowed([policy('shop', { ingress: [] })], toApi())).toBe(false);
  });

  test('an ipBlock admits pods only when it covers every address with no exceptions', () => {
    expect(allowed(admitting({ ipBlock: { cidr: '0.0.0.0/0' } }), toApi())).toBe(true);
    expect(allowed(admitting({ ipBlock: { cidr: '::/0' } }), toApi())).toBe(true);
    expect(allowed(admitting({ ipBlock: { cidr: '10.0.0.0/8' } }), toApi())).toBe(false);
    expect(allowed(admitting({ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }), toApi())).toBe(false);
  });
});

describe('ports', () => {
  const onPorts = (ports: unknown[]) => [policy('shop', { ingress: [{ from: [{ namespaceSelector: {} }], ports }] })];

  test('a number, a range up to endPort, or no port (every port of the protocol)', () => {
    expect([allowed(onPorts([{ port: 8080 }]), toApi()), allowed(onPorts([{ port: 8081 }]), toApi())]).toEqual([true, false]);
    expect([allowed(onPorts([{ port: 8000, endPort: 8100 }]), toApi()), allowed(onPorts([{ port: 8000, endPort: 8079 }]), toApi())]).toEqual([true, false]);
    expect(allowed(onPorts([{ protocol: 'TCP' }]), toApi())).toBe(true);
  });

  test('a named port is the receiving container\'s port of that name', () => {
    expect(allowed(onPorts([{ port: 'http' }]), toApi())).toBe(true);
    expect(allowed(onPorts([{ port: 'http' }]), toApi(9090))).toBe(false);
    expect(allowed(onPorts([{ port: 'metrics' }]), toApi())).toBe(false);
  });

  test('fails when a port is not a map: the rule admits nothing, rather than every port (network-policy-shape reports it)', () => {
    expect(allowed(onPorts(['8080']), toApi())).toBe(false);
    expect(allowed(onPorts([null, { port: 8080 }]), toApi())).toBe(true);
  });

  test('the protocol must match: TCP by default on both sides', () => {
    expect(allowed(onPorts([{ port: 5353 }]), { from: prometheus, to: api, port: 5353, protocol: 'UDP' })).toBe(false);
    expect(allowed(onPorts([{ port: 'dns', protocol: 'UDP' }]), { from: prometheus, to: api, port: 5353, protocol: 'UDP' })).toBe(true);
    expect(allowed(onPorts([{ port: 'dns' }]), { from: prometheus, to: api, port: 5353 })).toBe(false);
  });
});

describe('both ends must agree', () => {
  const openIngress = policy('shop', { ingress: [{ from: [{ namespaceSelector: {} }] }] }, 'open');

  test('fails when the sender\'s egress does not admit the receiver, though its ingress is open', () => {
    const egress = policy('monitoring', { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }] }, 'egress');
    expect(verdict([openIngress, egress], toApi())).toEqual({ allowed: false, direction: 'Egress', policies: [egress] });
  });

  test('egress rules resolve named ports against the receiving pod', () => {
    const egress = policy('monitoring', { egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }] });
    expect([allowed([openIngress, egress], toApi()), allowed([openIngress, egress], toApi(5353))]).toEqual([true, false]);
  });
});
