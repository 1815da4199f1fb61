import { check, env, goodDeployment, messages, obj } from '../support';

describe('container-probes', () => {
  test('passes a container with distinct probes (must-not-fire)', () => {
    expect(check('container-probes', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when the readiness probe is missing', () => {
    expect(messages(check('container-probes', env([obj(goodDeployment((x) => delete x.spec.template.spec.containers[0].readinessProbe))])))).toEqual(['container-probes: container demo (spec.template.spec.containers[0]) has no readinessProbe.']);
  });
  test('fails when liveness and startup probes are missing', () => {
    expect(messages(check('container-probes', env([obj(goodDeployment((x) => delete x.spec.template.spec.containers[0].livenessProbe))])))).toEqual(['container-probes: container demo (spec.template.spec.containers[0]) has neither livenessProbe nor startupProbe.']);
  });
  test('fails when liveness and readiness probes are identical', () => {
    const d = goodDeployment((x) => (x.spec.template.spec.containers[0].livenessProbe = x.spec.template.spec.containers[0].readinessProbe));
    expect(check('container-probes', env([obj(d)]))[0].message).toBe('container demo (spec.template.spec.containers[0]) has identical liveness and readiness probes.');
  });
});
