import { check, env, goodDeployment, messages, obj } from '../support';

const withImage = (image: string) => obj(goodDeployment((d) => (d.spec.template.spec.containers[0].image = image)));

describe('image-pinned', () => {
  test('passes a tagged image and a digest on a registry with a port (must-not-fire)', () => {
    expect(check('image-pinned', env([withImage('registry.example.com:5000/demo@sha256:' + '0'.repeat(64))]))).toEqual([]);
    expect(check('image-pinned', env([withImage('registry.example.com:5000/demo:1.2.3')]))).toEqual([]);
  });
  test('fails when the image uses latest', () => {
    expect(messages(check('image-pinned', env([withImage('demo:latest')])))).toEqual(['image-pinned: container demo (spec.template.spec.containers[0].image) uses the latest tag.']);
  });
  test('fails when the image has no tag', () => {
    expect(messages(check('image-pinned', env([withImage('registry.example.com:5000/demo')])))).toEqual(['image-pinned: container demo (spec.template.spec.containers[0].image) uses registry.example.com:5000/demo without a tag.']);
  });
});
