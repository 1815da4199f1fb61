import { cpu, memory } from '../../constructs/workloads/secure-defaults';

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
