import { ACKNOWLEDGED_RECREATE, acknowledgedChanges, recreatingChanges, streamRecreations, subjectsOverlap, subjectWithin } from '../../constructs/messaging/nats';

describe('NATS subjects', () => {
  test.each([
    ['orders.>', 'orders.created', true],
    ['orders.*', 'orders.created', true],
    ['orders.*', 'orders.created.eu', false],
    ['orders.created', 'orders.paid', false],
    ['>', 'anything.at.all', true],
    ['orders', 'orders.created', false],
  ])('subjectsOverlap(%s, %s) is %s', (a, b, expected) => {
    expect(subjectsOverlap(a, b)).toBe(expected);
    expect(subjectsOverlap(b, a)).toBe(expected);
  });

  test.each([
    ['orders.created', 'orders.>', true],
    ['orders.*.eu', 'orders.>', true],
    ['orders.created', 'orders.*', true],
    ['orders.*', 'orders.created', false],
    ['orders.>', 'orders.*', false],
    ['orders', 'orders.>', false],
    ['orders.created.eu', 'orders.*', false],
  ])('subjectWithin(%s, %s) is %s', (filter, subject, expected) => {
    expect(subjectWithin(filter, subject)).toBe(expected);
  });
});

describe('stream changes', () => {
  const audit = { name: 'AUDIT', subjects: ['audit.>'], storage: 'file', retention: 'limits' };

  test('NACK defaults count: a Stream without storage is a memory stream', () => {
    expect(recreatingChanges({ name: 'A' }, { name: 'A', storage: 'file' })).toEqual([{ field: 'storage', from: 'memory', to: 'file' }]);
    expect(recreatingChanges({ name: 'A' }, { name: 'A', retention: 'limits' })).toEqual([]);
  });

  test('a new stream beside an old one that keeps other subjects is no rename', () => {
    expect(streamRecreations([audit], [{ ...audit, name: 'EVENTS', subjects: ['events.>'] }])).toEqual([]);
  });

  test('an unreadable acknowledgement acknowledges nothing (a hand-edited tree given to --against)', () => {
    expect(acknowledgedChanges({ [ACKNOWLEDGED_RECREATE]: 'retention: limits -> workqueue' })).toEqual([]);
    expect(acknowledgedChanges({ [ACKNOWLEDGED_RECREATE]: '{"field":"retention"}' })).toEqual([]);
    expect(acknowledgedChanges({ [ACKNOWLEDGED_RECREATE]: '[{"field":"retention","from":"limits"}]' })).toEqual([]);
    expect(acknowledgedChanges(undefined)).toEqual([]);
  });
});
