import { createPrivateKey, createPublicKey, sign, verify, createHash, type KeyObject } from 'node:crypto';

/** A signed statement of the chain head at a moment: what an auditor keeps to detect truncation later. */
export interface SignedCheckpoint {
  sequence: string;
  hash: string;
  signedAt: string;
  /** SHA-256 of the public key (SPKI DER), hex: which key signed. */
  keyId: string;
  /** The public key, SPKI PEM, so the checkpoint can be checked on its own. */
  publicKey: string;
  /** Ed25519 signature over the checkpoint statement, base64. */
  signature: string;
}

export function checkpointStatement(checkpoint: Pick<SignedCheckpoint, 'sequence' | 'hash' | 'signedAt' | 'keyId'>): Buffer {
  return Buffer.from(
    `mash-audit-checkpoint/1\nsequence:${checkpoint.sequence}\nhash:${checkpoint.hash}\nsigned-at:${checkpoint.signedAt}\nkey:${checkpoint.keyId}\n`,
  );
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export class CheckpointSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;

  /** From a PKCS#8 PEM Ed25519 private key. */
  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    if (this.privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`the audit signing key must be Ed25519, not ${this.privateKey.asymmetricKeyType}`);
    }
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  sign(head: { sequence: string; hash: string }, signedAt = new Date()): SignedCheckpoint {
    const unsigned = { sequence: head.sequence, hash: head.hash, signedAt: signedAt.toISOString(), keyId: this.keyId };
    return {
      ...unsigned,
      publicKey: this.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      signature: sign(null, checkpointStatement(unsigned), this.privateKey).toString('base64'),
    };
  }
}

/**
 * Checks a checkpoint's signature. With `trustedPublicKeyPem` (the key the
 * auditor trusts), the checkpoint must also have been signed by that key,
 * not merely by the key it carries.
 */
export function checkpointSignatureIsValid(checkpoint: SignedCheckpoint, trustedPublicKeyPem?: string): boolean {
  const key = createPublicKey(trustedPublicKeyPem ?? checkpoint.publicKey);
  if (keyIdOf(key) !== checkpoint.keyId) return false;
  return verify(null, checkpointStatement(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
}
