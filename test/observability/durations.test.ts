import { durationMs, goDuration } from '../../stacks/durations';

test('spec durations become Go durations in the largest whole unit', () => {
  expect(goDuration('15d')).toBe('360h');
  expect(goDuration('1w')).toBe('168h');
  expect(goDuration('90m')).toBe('90m');
  expect(goDuration('1h30m')).toBe('90m');
  expect(goDuration('45s')).toBe('45s');
  expect(goDuration('1500ms')).toBe('1500ms');
  expect(durationMs('1y')).toBe(365 * 86_400_000);
});

test('fails when the value is not a duration', () => {
  expect(() => durationMs('3 days')).toThrow('"3 days" is not a duration; write it like 30s, 5m, 12h or 15d.');
  expect(() => durationMs('')).toThrow(/is not a duration/);
});
