import { check, env, goodDeployment, messages, obj } from '../support';

describe('container-resources', () => {
  test('passes a container with requests and a memory limit (must-not-fire)', () => {
    expect(check('container-resources', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when resources are missing', () => {
    const d = goodDeployment((x) => delete x.spec.template.spec.containers[0].resources);
    expect(messages(check('container-resources', env([obj(d)])))).toEqual(['container-resources: container demo (spec.template.spec.containers[0]) has no resources.requests.cpu, resources.requests.memory, resources.limits.memory.']);
  });
});
