import { generateKeyPairSync } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, hashEvent, type ChainedEvent } from './chain.js';
import { CheckpointSigner, checkpointSignatureIsValid } from './checkpoint.js';
import { CheckpointOutsideRangeError, verifyChain } from './verification.js';

function buildChain(length: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let previousHash = GENESIS_HASH;
  for (let i = 1; i <= length; i++) {
    const unhashed = {
      sequence: String(i),
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      actorType: 'person',
      actorId: `user-${i % 3}`,
      onBehalfOf: 'mash',
      action: 'contact.viewed',
      subjectType: 'contact',
      subjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      childId: null,
      purpose: 'screening',
      lawfulBasis: null,
      correlationId: null,
      details: { n: i, nested: { b: 2, a: [1, 'x'] } },
      previousHash,
    };
    const event = { ...unhashed, hash: hashEvent(unhashed) };
    events.push(event);
    previousHash = event.hash;
  }
  return events;
}

async function* stream(events: ChainedEvent[]) {
  yield* events;
}

const whole = { from: 1n, previousHash: GENESIS_HASH };

describe('audit chain verification', () => {
  it('reports an intact chain up to its last event', async () => {
    expect(await verifyChain(stream(buildChain(50)), whole)).toEqual({ intact: true, from: '1', to: '50', verified: 50 });
  });

  it('names an edited event', async () => {
    const chain = buildChain(20);
    chain[6] = { ...chain[6], actorId: 'someone-else' };
    const result = await verifyChain(stream(chain), whole);
    expect(result).toMatchObject({ intact: false, verified: 6, firstBroken: { sequence: '7', kind: 'hash', found: chain[6].hash } });
  });

  it('names the place of a deleted event', async () => {
    const chain = buildChain(20);
    chain.splice(9, 1);
    expect(await verifyChain(stream(chain), whole)).toMatchObject({ intact: false, firstBroken: { sequence: '10', kind: 'sequence' } });
  });

  it('names an inserted event, even when the later ones were renumbered to hide it', async () => {
    const chain = buildChain(20);
    const forged = { ...chain[4], actorId: 'forger' };
    const renumbered = [...chain.slice(0, 5), { ...forged, sequence: '6' }, ...chain.slice(5).map((e) => ({ ...e, sequence: String(Number(e.sequence) + 1) }))];
    expect(await verifyChain(stream(renumbered), whole)).toMatchObject({ intact: false, firstBroken: { sequence: '6', kind: 'previous_hash' } });
  });

  it('names the first of two swapped events', async () => {
    const chain = buildChain(20);
    const swapped = chain.map((e) => ({ ...e }));
    [swapped[11], swapped[12]] = [
      { ...chain[12], sequence: '12' },
      { ...chain[11], sequence: '13' },
    ];
    expect(await verifyChain(stream(swapped), whole)).toMatchObject({ intact: false, firstBroken: { sequence: '12', kind: 'previous_hash' } });
  });

  it('sees a cut tail only against a checkpoint', async () => {
    const chain = buildChain(30);
    const checkpoint = { sequence: '30', hash: chain[29].hash };
    const cut = chain.slice(0, 25);
    expect(await verifyChain(stream(cut), whole)).toMatchObject({ intact: true, to: '25' });
    expect(await verifyChain(stream(cut), { ...whole, checkpoint })).toMatchObject({
      intact: false,
      firstBroken: { sequence: '26', kind: 'truncated' },
    });
    expect(await verifyChain(stream(chain), { ...whole, checkpoint })).toMatchObject({ intact: true, to: '30' });
  });

  it('sees a chain rebuilt after a checkpoint was taken', async () => {
    const chain = buildChain(10);
    const checkpoint = { sequence: '10', hash: 'f'.repeat(64) };
    expect(await verifyChain(stream(chain), { ...whole, checkpoint })).toMatchObject({
      intact: false,
      firstBroken: { sequence: '10', kind: 'checkpoint' },
    });
  });

  it('refuses a checkpoint outside the range rather than report it checked', async () => {
    const chain = buildChain(40);
    const early = { sequence: '5', hash: chain[4].hash };
    const late = { sequence: '35', hash: 'f'.repeat(64) };
    await expect(verifyChain(stream(chain.slice(19)), { from: 20n, previousHash: chain[18].hash, to: 30n, checkpoint: early })).rejects.toThrow(
      'the checkpoint at 5 is outside the range verified (20 to 30): include it in the range',
    );
    await expect(verifyChain(stream(chain.slice(19)), { from: 20n, previousHash: chain[18].hash, to: 30n, checkpoint: late })).rejects.toThrow(
      CheckpointOutsideRangeError,
    );
    // Inside the range it is checked, and the result says so.
    const inside = { sequence: '25', hash: chain[24].hash };
    expect(await verifyChain(stream(chain.slice(19)), { from: 20n, previousHash: chain[18].hash, to: 30n, checkpoint: inside })).toEqual({
      intact: true,
      from: '20',
      to: '30',
      verified: 11,
      checkpoint: '25',
    });
  });

  it('verifies a range starting mid-chain from its predecessor hash', async () => {
    const chain = buildChain(40);
    const result = await verifyChain(stream(chain.slice(19)), { from: 20n, previousHash: chain[18].hash, to: 30n });
    expect(result).toEqual({ intact: true, from: '20', to: '30', verified: 11 });
  });

  it('serialises objects the same whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('signed checkpoints', () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const signer = new CheckpointSigner(pem);

  it('verify with the key they carry and with the trusted key', () => {
    const checkpoint = signer.sign({ sequence: '42', hash: 'a'.repeat(64) });
    expect(checkpointSignatureIsValid(checkpoint)).toBe(true);
    expect(checkpointSignatureIsValid(checkpoint, signer.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);
  });

  it('fail when altered or signed by another key', () => {
    const checkpoint = signer.sign({ sequence: '42', hash: 'a'.repeat(64) });
    expect(checkpointSignatureIsValid({ ...checkpoint, sequence: '41' })).toBe(false);
    const other = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const forged = other.sign({ sequence: '42', hash: 'a'.repeat(64) });
    expect(checkpointSignatureIsValid(forged)).toBe(true);
    expect(checkpointSignatureIsValid(forged, signer.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(false);
  });

  it('refuse a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => new CheckpointSigner(rsa)).toThrow(/Ed25519/);
  });
});

/** Computed once with the original serialiser; any change to the format must change the format version. */
const HASH_OF_FIXED_EVENT = '2d5bf314340fa3248e85fc2241c49372f84f4542c6659e1d28ea07508d7e3f93';

describe('canonical serialisation', () => {
  it('is fixed: a change here breaks every stored hash', () => {
    const event = {
      sequence: '7',
      occurredAt: '2026-01-01T00:00:07.000Z',
      actorType: 'person',
      actorId: 'sam.screener',
      onBehalfOf: 'screener',
      action: 'contact.viewed',
      subjectType: 'contact',
      subjectId: '00000000-0000-4000-8000-000000000007',
      childId: null,
      purpose: 'screening',
      lawfulBasis: null,
      correlationId: null,
      details: { z: [1, { y: 'é', x: null }], a: 'quote " and \\ back' },
      previousHash: '0'.repeat(64),
    };
    expect(canonicalJson(event.details)).toBe('{"a":"quote \\" and \\\\ back","z":[1,{"x":null,"y":"é"}]}');
    expect(hashEvent(event)).toBe(HASH_OF_FIXED_EVENT);
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
  });
});
