/**
 * Matching children at scale: `npm run bench:identity`. Seeds its own database
 * (BENCH_IDENTITY_DATABASE_URL, default mash_bench_identity) with a generated
 * population (BENCH_CHILDREN, default 1,000,000) in households: siblings share a
 * family name and home, a few are twins, most have an NHS number. Keys are computed
 * by the hub's own code and the rows streamed in with COPY.
 *
 * Then asks, one at a time, about labelled children (BENCH_QUERIES_PER_KIND of each):
 * duplicates of a known child (exact; exact without the NHS number; a typo in the
 * given or family name; a nickname; day and month swapped; one part of a
 * double-barrelled family name), some with the home left out, and children who
 * are not known (a new sibling, a twin, a stranger). Each is matched by the hub's
 * ChildRegister.matchAll, as intake calls it, in a transaction rolled back after;
 * prints the lookup's p50/p95/p99, and precision and recall of linking (and of
 * linking or listing for review) beside exact matching (NHS number, else the same
 * normalised name and date of birth) measured on the same children in the same run.
 */
import 'reflect-metadata';
import { from as copyFrom } from 'pg-copy-streams';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { childIdentity, swappedDate, type IdentityInput } from '../apps/hub/src/children/child-matching.js';
import { ChildRegister, type ChildMatch } from '../apps/hub/src/children/child-register.js';
import { GIVEN_NAME_GROUPS } from '../apps/hub/src/children/given-name-variants.js';
import { createDataSource } from '../apps/hub/src/database/data-source.js';
import { freshBenchDatabase, latencies, now } from './bench-support.js';

const OWNER_URL = process.env.BENCH_IDENTITY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_bench_identity';
const APP_URL = OWNER_URL.replace(/\/\/[^@/]+@/, '//mash_app@');
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 1_000_000);
const QUERIES_PER_KIND = Number(process.env.BENCH_QUERIES_PER_KIND ?? 200);

/** A seeded generator, so every run asks the same questions of the same population. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] };
}
const random = generator(20261124);

const capital = (name: string) => name.replace(/(^|[ -])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
const GIVEN = [
  ...new Set([
    ...GIVEN_NAME_GROUPS.map((group) => group[0]),
    ...'oliver noah leo arthur muhammad jack theo harry oscar archie freddie alfie isaac lucas finley teddy arlo reggie tommy rory ezra louie hugo jude ronnie max elijah mason ethan logan adam aaron dylan tyler kai ryan reuben carter olivia amelia isla ava ivy freya lily florence mia willow rosie sophia evie ella grace daisy sienna poppy elsie emily harper millie ruby phoebe ada evelyn aria luna maya layla zara hallie alice matilda esme nancy emma erin maisie lola holly imogen eva orla ayla aisha fatima maryam zainab amira'.split(
      ' ',
    ),
  ]),
].map(capital);
const FAMILY_COMMON =
  'smith jones taylor brown williams wilson johnson davies robinson wright thompson evans walker white roberts green hall wood jackson clarke patel khan lewis james phillips mason mitchell rose davis rodriguez cox alexander morgan moore martin price scott hughes hill young allen king cooper harris turner ward morris baker edwards clark harrison begum ali hussain ahmed shah kaur singh okafor adeyemi nowak kowalski murphy kelly oconnor byrne ryan walsh'.split(
    ' ',
  );
const FAMILY_HEADS = 'ash black brad brook burn cal chester clay cran dar den east fair farn gold green hart hay holm kings lang lock marsh mid mill new north oak pen red ridge rock sand shel stan stock sut thorn wal west whit wind win'.split(' ');
const FAMILY_TAILS = 'ford ley ton well wood field by ham wick more dale bury combe worth stead hurst'.split(' ');
const FAMILY = [...FAMILY_COMMON, ...FAMILY_HEADS.flatMap((head) => FAMILY_TAILS.map((tail) => head + tail))].map(capital);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

interface Person {
  id: string;
  nhsNumber: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string;
  uprn: string;
  household: number;
}

const day = (offset: number) => new Date(Date.UTC(2008, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
const DAYS = 18 * 365;
const uuid = (n: number, kind: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Households of one to three children (one in fifty with twins), about ten homes to a postcode. */
function population(size: number): Person[] {
  const people: Person[] = [];
  for (let household = 0; people.length < size; household++) {
    const familyName = random.next() < 0.04 ? `${random.pick(FAMILY)}-${random.pick(FAMILY)}` : random.pick(FAMILY);
    const postcode = `${random.pick(['LS', 'M', 'B', 'EX', 'SW', 'NE', 'CF', 'BS'])}${1 + (household % 97)} ${1 + ((household >> 3) % 9)}${LETTERS[(household >> 4) % 26].toUpperCase()}${LETTERS[(household >> 6) % 26].toUpperCase()}`;
    const uprn = String(100_000_000_000 + household);
    const children = 1 + random.int(3);
    const used = new Set<string>();
    let born = random.int(DAYS);
    for (let c = 0; c < children && people.length < size; c++) {
      let given = random.pick(GIVEN);
      while (used.has(given)) given = random.pick(GIVEN);
      used.add(given);
      const twin = c > 0 && random.next() < 0.02;
      if (c > 0 && !twin) born = (born + 400 + random.int(1500)) % DAYS;
      const n = people.length;
      people.push({ id: uuid(n, 1), nhsNumber: random.next() < 0.7 ? String(9_000_000_000 + n) : null, givenName: given, familyName, dateOfBirth: day(born), postcode, uprn, household });
    }
  }
  return people;
}

async function seed(people: Person[]): Promise<void> {
  const owner = await freshBenchDatabase(OWNER_URL);
  await owner.destroy();
  const client = new pg.Client({ connectionString: OWNER_URL });
  await client.connect();
  const started = now();
  const columns = 'id, nhs_number, given_name, family_name, normalised_name, date_of_birth, given_names, given_middle, given_first, given_key, given_sound, family_sound, postcode, uprn';
  const lines = function* () {
    let chunk = '';
    for (const person of people) {
      const keys = childIdentity(person);
      chunk += `${[person.id, person.nhsNumber ?? '\\N', person.givenName, person.familyName, keys.normalisedName, person.dateOfBirth, keys.givenNames, keys.givenMiddle, keys.givenFirst, keys.givenKey, keys.givenSound, keys.familySound, keys.postcode, keys.uprn].join('\t')}\n`;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY child (${columns}) FROM STDIN`)));
  // As autovacuum would leave a table that has settled: statistics, and the visibility map index-only scans use.
  await client.query('VACUUM ANALYZE child');
  await client.end();
  console.log(`seeded ${people.length} children in ${((now() - started) / 1000).toFixed(1)} s`);
}

type Kind = 'exact' | 'missing NHS number' | 'typo in given name' | 'typo in family name' | 'nickname' | 'day and month swapped' | 'double-barrelled surname' | 'new sibling' | 'new twin' | 'stranger';
const DUPLICATE_KINDS: Kind[] = ['exact', 'missing NHS number', 'typo in given name', 'typo in family name', 'nickname', 'day and month swapped', 'double-barrelled surname'];
const NEW_KINDS: Kind[] = ['new sibling', 'new twin', 'stranger'];

interface Query {
  kind: Kind;
  /** The known child this is, or null for a child the hub has not met. */
  truth: string | null;
  sent: IdentityInput;
}

function typo(name: string): string {
  const letters = [...name.toLowerCase()];
  const at = 1 + random.int(letters.length - 2);
  const edit = random.int(3);
  if (edit === 0) [letters[at], letters[at + 1]] = [letters[at + 1], letters[at]];
  else if (edit === 1) letters.splice(at, 1);
  else letters[at] = random.pick([...LETTERS.replace(letters[at], '')]);
  return capital(letters.join(''));
}

const VARIANTS = new Map(GIVEN_NAME_GROUPS.map((group) => [capital(group[0]), group.slice(1).map(capital)]));

function queries(people: Person[]): Query[] {
  const asked: Query[] = [];
  const sample = (accept: (person: Person) => boolean) => {
    for (;;) {
      const person = people[random.int(people.length)];
      if (accept(person)) return person;
    }
  };
  /** Most agencies know the home; some send none. */
  const home = (person: Person) => (random.next() < 0.7 ? { postcode: person.postcode, uprn: person.uprn } : {});
  const as = (person: Person, change: Partial<IdentityInput>): IdentityInput => ({
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    nhsNumber: null,
    ...home(person),
    ...change,
  });
  for (let i = 0; i < QUERIES_PER_KIND; i++) {
    const any = sample(() => true);
    asked.push({ kind: 'exact', truth: any.id, sent: as(any, { nhsNumber: any.nhsNumber }) });
    const numbered = sample((person) => person.nhsNumber !== null);
    asked.push({ kind: 'missing NHS number', truth: numbered.id, sent: as(numbered, {}) });
    const given = sample((person) => person.givenName.length >= 4);
    asked.push({ kind: 'typo in given name', truth: given.id, sent: as(given, { givenName: typo(given.givenName) }) });
    const family = sample((person) => person.familyName.length >= 4 && !person.familyName.includes('-'));
    asked.push({ kind: 'typo in family name', truth: family.id, sent: as(family, { familyName: typo(family.familyName) }) });
    const nick = sample((person) => VARIANTS.has(person.givenName) && VARIANTS.get(person.givenName)!.length > 0);
    asked.push({ kind: 'nickname', truth: nick.id, sent: as(nick, { givenName: random.pick(VARIANTS.get(nick.givenName)!) }) });
    const swapped = sample((person) => swappedDate(person.dateOfBirth) !== null);
    asked.push({ kind: 'day and month swapped', truth: swapped.id, sent: as(swapped, { dateOfBirth: swappedDate(swapped.dateOfBirth)! }) });
    const barrelled = sample(() => true);
    asked.push({
      kind: 'double-barrelled surname',
      truth: barrelled.id,
      sent: as(barrelled, { familyName: barrelled.familyName.includes('-') ? random.pick(barrelled.familyName.split('-')) : `${barrelled.familyName}-${random.pick(FAMILY)}` }),
    });
    // Not known: a new brother or sister (same family and home, another name and birthday), a twin of a
    // known child (same birthday too), and a child from nowhere.
    const household = sample(() => true);
    const siblings = people.filter((person) => person.household === household.household);
    const newName = () => {
      for (;;) {
        const name = random.pick(GIVEN);
        if (siblings.every((person) => childIdentity({ givenName: name, familyName: '' }).givenKey !== childIdentity({ givenName: person.givenName, familyName: '' }).givenKey)) return name;
      }
    };
    const siblingBorn = day((Date.parse(household.dateOfBirth) - Date.UTC(2008, 0, 1)) / 86_400_000 + 500 + random.int(900));
    asked.push({ kind: 'new sibling', truth: null, sent: { givenName: newName(), familyName: household.familyName, dateOfBirth: siblingBorn, postcode: household.postcode, uprn: household.uprn } });
    asked.push({ kind: 'new twin', truth: null, sent: { givenName: newName(), familyName: household.familyName, dateOfBirth: household.dateOfBirth, postcode: household.postcode, uprn: household.uprn } });
    asked.push({ kind: 'stranger', truth: null, sent: { givenName: random.pick(GIVEN), familyName: `${random.pick(FAMILY_HEADS)}${random.pick(FAMILY_TAILS)}ington`, dateOfBirth: day(random.int(DAYS)) } });
  }
  return asked;
}

interface Tally {
  asked: number;
  linkedRight: number;
  linkedWrong: number;
  listedRight: number;
}
const emptyTally = (): Tally => ({ asked: 0, linkedRight: 0, linkedWrong: 0, listedRight: 0 });

async function main(): Promise<void> {
  const people = population(CHILDREN);
  await seed(people);
  const asked = queries(people);
  const dataSource = await createDataSource(APP_URL).initialize();
  const register = new ChildRegister();
  const rollback = new Error('rolled back');
  const timings: number[] = [];
  const knownTimings: number[] = [];
  const newTimings: number[] = [];
  const exactTimings: number[] = [];
  const fuzzy = new Map<Kind, Tally>();
  const exact = new Map<Kind, Tally>();
  try {
    for (const query of asked) {
      const identity = childIdentity(query.sent);
      let match: ChildMatch | undefined;
      await dataSource
        .transaction(async (manager) => {
          const started = now();
          [match] = await register.matchAll(manager, [{ subject: { givenName: query.sent.givenName, familyName: query.sent.familyName }, identity }]);
          const ms = now() - started;
          timings.push(ms);
          (query.truth ? knownTimings : newTimings).push(ms);
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      const linked = match!.created ? null : match!.child.id;
      const listed = match!.possibleMatches.map((found) => found.otherChildId);
      tally(fuzzy, query, linked, listed);

      // Exact matching as the hub did it: the NHS number, else the same normalised name and date of birth.
      const started = now();
      const [row] = (await dataSource.query(
        `SELECT id FROM child WHERE nhs_number = $1
         UNION ALL (SELECT id FROM child WHERE date_of_birth = $3 AND normalised_name = $2 AND (nhs_number IS NULL OR $1::varchar IS NULL) ORDER BY created_at, id)
         LIMIT 1`,
        [identity.nhsNumber, identity.normalisedName, identity.dateOfBirth],
      )) as { id: string }[];
      exactTimings.push(now() - started);
      tally(exact, query, row?.id ?? null, []);
    }
  } finally {
    await dataSource.destroy();
  }

  console.log(`${asked.length} children asked about, one at a time, against ${CHILDREN} known`);
  console.log(`match lookup ms p50 / p95 / p99: ${latencies(timings)} (exact matching's lookup: ${latencies(exactTimings)})`);
  console.log(`  of which a known child: ${latencies(knownTimings)}; a new child, registered (and any possible match listed): ${latencies(newTimings)}`);
  const width = 26;
  console.log(`${'kind'.padEnd(width)}  asked  exact: linked right / wrong   scored: linked right / wrong, listed for review`);
  for (const kind of [...DUPLICATE_KINDS, ...NEW_KINDS]) {
    const e = exact.get(kind) ?? emptyTally();
    const f = fuzzy.get(kind) ?? emptyTally();
    console.log(`${kind.padEnd(width)}  ${String(f.asked).padStart(5)}  ${String(e.linkedRight).padStart(11)} / ${String(e.linkedWrong).padEnd(12)}  ${String(f.linkedRight).padStart(14)} / ${String(f.linkedWrong).padEnd(5)}  ${f.listedRight}`);
  }
  const summary = (tallies: Map<Kind, Tally>) => {
    const all = [...tallies.values()].reduce((sum, t) => ({ asked: 0, linkedRight: sum.linkedRight + t.linkedRight, linkedWrong: sum.linkedWrong + t.linkedWrong, listedRight: sum.listedRight + t.listedRight }), emptyTally());
    const duplicates = DUPLICATE_KINDS.reduce((sum, kind) => sum + (tallies.get(kind)?.asked ?? 0), 0);
    const precision = all.linkedRight / Math.max(1, all.linkedRight + all.linkedWrong);
    const recall = all.linkedRight / Math.max(1, duplicates);
    const found = (all.linkedRight + all.listedRight) / Math.max(1, duplicates);
    return `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (linked or listed for review: ${found.toFixed(3)}), false links ${all.linkedWrong}`;
  };
  console.log(`exact matching:  ${summary(exact)}`);
  console.log(`scored matching: ${summary(fuzzy)}`);
}

function tally(tallies: Map<Kind, Tally>, query: Query, linked: string | null, listed: string[]): void {
  const t = tallies.get(query.kind) ?? emptyTally();
  tallies.set(query.kind, t);
  t.asked += 1;
  if (linked !== null && linked === query.truth) t.linkedRight += 1;
  else if (linked !== null) t.linkedWrong += 1;
  else if (query.truth && listed.includes(query.truth)) t.listedRight += 1;
}

await main();
