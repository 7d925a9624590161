import { loadSharingPolicy, SharingPolicyError } from './policy.js';
import { policyAsText } from './policy-table.js';

/**
 * Prints the sharing (minimisation) policy as tables, or says what is wrong with it.
 * Usage: npm run sharing:policy [-- <policy file>]   (default: SHARING_POLICY_FILE, or the shipped policy)
 */
const file = process.argv[2] ?? process.env.SHARING_POLICY_FILE;
try {
  process.stdout.write(`${policyAsText(loadSharingPolicy(file || undefined))}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof SharingPolicyError ? error.message : `cannot read the sharing policy: ${(error as Error).message}`}\n`);
  process.exitCode = 1;
}
