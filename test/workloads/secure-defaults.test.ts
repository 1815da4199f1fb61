import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { cpu, hostPathVolume, memory } from '../../constructs/workloads/secure-defaults';
import { findOne, Manifest } from '../../stacks/objects';
import { testApp } from '../support/cdk8s';

test('quantities keep the units they are written in', () => {
  expect([cpu('50m').amount, cpu('2').amount]).toEqual(['50m', '2']);
  expect([memory('64Mi').toMebibytes(), memory('1Gi').toMebibytes()]).toEqual([64, 1024]);
});

test('fails when a CPU quantity is not millicores or whole cores', () => {
  expect(() => cpu('0.5')).toThrow('"0.5" is not a CPU quantity such as 50m or 2.');
});

test('fails when a memory quantity is not a whole number of mebibytes', () => {
  expect(() => memory('100M')).toThrow('"100M" is not a whole number of mebibytes; use Mi or Gi.');
  expect(() => memory('lots')).toThrow('"lots" is not a Kubernetes quantity such as 512Mi or 10Gi.');
});

test('a host path volume is named in the pod as given and says what must be on the host', () => {
  const chart = new Chart(testApp(), 'test');
  const pod = new kplus.Pod(chart, 'pod', { containers: [{ image: 'docker.io/library/busybox:1.37.0' }] });
  pod.containers[0].mount('/host/etc/containerd', hostPathVolume(chart, 'host-containerd', '/etc/containerd', kplus.HostPathVolumeType.DIRECTORY), { readOnly: true });
  const spec = (findOne(Testing.synth(chart) as Manifest[], 'Pod', pod.name) as any).spec;
  expect(spec.volumes).toEqual([{ name: 'host-containerd', hostPath: { path: '/etc/containerd', type: 'Directory' } }]);
  expect(spec.containers[0].volumeMounts).toEqual([{ name: 'host-containerd', mountPath: '/host/etc/containerd', readOnly: true }]);
});
