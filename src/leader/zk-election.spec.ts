import { candidatePrefix, orderCandidates, parseZkUrl, positionOf, sequenceOf } from './zk-election';

describe('zk-election: pure parts', () => {
  it('parses ZK_URL into hosts, root and digest auth', () => {
    expect(parseZkUrl('zk://127.0.0.1:2181/pacer')).toEqual({ hosts: '127.0.0.1:2181', root: '/pacer' });
    expect(parseZkUrl('zk://a:2181,b:2181/x/y/')).toEqual({ hosts: 'a:2181,b:2181', root: '/x/y' });
    expect(parseZkUrl('zk://u:p@a:2181/m')).toEqual({ hosts: 'a:2181', root: '/m', auth: 'u:p' });
    expect(parseZkUrl('zk://a:2181')).toEqual({ hosts: 'a:2181', root: '/pacer' });
    expect(() => parseZkUrl('http://a:2181/x')).toThrow(/Invalid ZooKeeper URL/);
  });

  it('reads sequence numbers of candidate znodes only', () => {
    const token = '0b6c2c5e-7d7e-4d0e-9f5e-3c1f1b2a9d10';
    expect(sequenceOf(`${candidatePrefix(token)}0000000042`)).toBe(42);
    expect(sequenceOf('c_abc_0000000001')).toBe(1);
    expect(sequenceOf('member_0000000001')).toBeUndefined();
    expect(sequenceOf('c_abc_12')).toBeUndefined();
  });

  it('orders candidates by sequence number, not by name', () => {
    // The uuid part would sort these the other way round.
    const children = ['c_ffff_0000000003', 'c_0000_0000000010', 'c_aaaa_0000000001', 'lock', 'c_1111_0000000007'];
    expect(orderCandidates(children)).toEqual(['c_aaaa_0000000001', 'c_ffff_0000000003', 'c_1111_0000000007', 'c_0000_0000000010']);
  });

  it('finds the leader and the one predecessor to watch', () => {
    const children = ['c_c_0000000009', 'c_a_0000000002', 'c_b_0000000005'];
    expect(positionOf(children, 'c_a_0000000002')).toEqual({ leader: 'c_a_0000000002', index: 0, predecessor: undefined });
    expect(positionOf(children, 'c_b_0000000005')).toEqual({ leader: 'c_a_0000000002', index: 1, predecessor: 'c_a_0000000002' });
    // The third watches the second, not the leader: a departure wakes one candidate only.
    expect(positionOf(children, 'c_c_0000000009')).toEqual({ leader: 'c_a_0000000002', index: 2, predecessor: 'c_b_0000000005' });
    expect(positionOf(children, 'c_gone_0000000001')).toEqual({ leader: 'c_a_0000000002', index: -1, predecessor: undefined });
    expect(positionOf(children, undefined).index).toBe(-1);
    expect(positionOf([], 'c_a_0000000002')).toEqual({ leader: undefined, index: -1, predecessor: undefined });
  });
});
