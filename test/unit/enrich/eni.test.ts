import { describe, expect, it } from 'vitest';
import { EniMetadataCache } from '../../../shared/enrich/eni.ts';

const META = {
  instanceId: 'i-01234567890123456',
  securityGroupIds: ['sg-0123456789abcdef0'],
  subnetId: 'subnet-aaaaaaaa012345678',
  vpcId: 'vpc-abcdefab012345678',
  description: 'web',
  interfaceType: 'interface',
  tags: { Name: 'web-1' },
};

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('EniMetadataCache', () => {
  it('answers the flat eni_* keys for a stored interface', () => {
    // Prepare
    const cache = new EniMetadataCache();
    cache.store('eni-1', META);

    // Act
    const fields = cache.lookup('eni-1');

    // Assess
    expect(fields).toEqual({
      eni_instance_id: 'i-01234567890123456',
      eni_security_group_ids: ['sg-0123456789abcdef0'],
      eni_subnet_id: 'subnet-aaaaaaaa012345678',
      eni_vpc_id: 'vpc-abcdefab012345678',
      eni_description: 'web',
      eni_interface_type: 'interface',
      eni_tags: { Name: 'web-1' },
    });
  });

  it('omits keys EC2 left empty', () => {
    // Prepare
    const cache = new EniMetadataCache();
    cache.store('eni-1', { securityGroupIds: [], tags: {}, description: '' });

    // Assess
    expect(cache.lookup('eni-1')).toEqual({});
  });

  it('expires entries after the TTL and lists them as missing again', () => {
    // Prepare
    const time = clock();
    const cache = new EniMetadataCache({ ttlSeconds: 900, now: time.now });
    cache.store('eni-1', META);

    // Act
    time.advance(899_999);
    const fresh = cache.lookup('eni-1');
    const missingBefore = cache.missing(['eni-1']);
    time.advance(1);
    const expired = cache.lookup('eni-1');
    const missingAfter = cache.missing(['eni-1']);

    // Assess
    expect(fresh).toBeDefined();
    expect(missingBefore).toEqual([]);
    expect(expired).toBeUndefined();
    expect(missingAfter).toEqual(['eni-1']);
  });

  it('negatively caches interfaces EC2 does not know', () => {
    // Prepare
    const cache = new EniMetadataCache();
    cache.store('eni-gone', null);

    // Assess
    expect(cache.lookup('eni-gone')).toBeUndefined();
    expect(cache.missing(['eni-gone', 'eni-new'])).toEqual(['eni-new']);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    // Prepare
    const cache = new EniMetadataCache({ maxEntries: 2 });
    cache.store('eni-1', META);
    cache.store('eni-2', META);
    cache.missing(['eni-1']); // a batch used eni-1: eni-2 is now the oldest

    // Act
    cache.store('eni-3', META);

    // Assess
    expect(cache.size).toBe(2);
    expect(cache.lookup('eni-1')).toBeDefined();
    expect(cache.lookup('eni-2')).toBeUndefined();
    expect(cache.lookup('eni-3')).toBeDefined();
  });

  it('leaves failed ids alone for the back-off period', () => {
    // Prepare
    const time = clock();
    const cache = new EniMetadataCache({ now: time.now });
    cache.storeFailure(['eni-1'], 60);

    // Act
    const during = cache.missing(['eni-1']);
    time.advance(60_000);
    const after = cache.missing(['eni-1']);

    // Assess
    expect(cache.lookup('eni-1')).toBeUndefined();
    expect(during).toEqual([]);
    expect(after).toEqual(['eni-1']);
  });
});
