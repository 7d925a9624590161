/**
 * Common English given-name variants and short forms, each group folded to its first name. A small
 * table kept here rather than a package: none on the registry is maintained for this, and a screener
 * can read (and a developer extend) every pairing matching relies on. A short form that belongs to
 * two names (Sandy: Alexander and Sandra; Ted: Edward and Theodore) is left out, so no two children
 * are folded together by a guess; spelling slips are the typo rule's work, not this table's.
 */
const GROUPS: readonly (readonly string[])[] = [
  ['william', 'will', 'bill', 'billy', 'liam', 'willie', 'willy'],
  ['elizabeth', 'liz', 'lizzie', 'lizzy', 'beth', 'betty', 'bessie', 'eliza', 'libby', 'elisabeth'],
  ['robert', 'rob', 'robbie', 'bob', 'bobby', 'bert'],
  ['richard', 'rich', 'richie', 'rick', 'ricky', 'dick'],
  ['james', 'jim', 'jimmy', 'jamie', 'jimmie'],
  ['john', 'jack', 'johnny', 'jon', 'jonny'],
  ['jonathan', 'jonathon'],
  ['michael', 'mike', 'mikey', 'mick', 'micky', 'mickey'],
  ['thomas', 'tom', 'tommy'],
  ['joseph', 'joe', 'joey'],
  ['daniel', 'dan', 'danny'],
  ['matthew', 'matt', 'matty'],
  ['christopher', 'chris', 'kit'],
  ['nicholas', 'nick', 'nicky'],
  ['benjamin', 'ben', 'benny', 'benji'],
  ['samuel', 'sam', 'sammy'],
  ['alexander', 'alex', 'alec', 'xander'],
  ['anthony', 'tony', 'ant'],
  ['andrew', 'andy', 'drew'],
  ['david', 'dave', 'davy', 'davey'],
  ['edward', 'ed', 'eddie', 'eddy', 'ned'],
  ['charles', 'charlie', 'chas', 'chuck'],
  ['henry', 'harry', 'hal', 'hank'],
  ['frederick', 'fred', 'freddie', 'freddy'],
  ['george', 'georgie'],
  ['joshua', 'josh'],
  ['zachary', 'zach', 'zack', 'zak'],
  ['nathaniel', 'nat', 'nate'],
  ['oliver', 'ollie', 'olly'],
  ['patrick', 'pat', 'paddy'],
  ['peter', 'pete'],
  ['philip', 'phil', 'phillip', 'pip'],
  ['stephen', 'steve', 'steven', 'stevie'],
  ['timothy', 'tim', 'timmy'],
  ['gregory', 'greg'],
  ['lawrence', 'laurence', 'larry', 'laurie'],
  ['kenneth', 'ken', 'kenny'],
  ['ronald', 'ron', 'ronnie'],
  ['donald', 'don', 'donny'],
  ['leonard', 'leo', 'len', 'lenny'],
  ['archibald', 'archie'],
  ['theodore', 'theo'],
  ['katherine', 'kate', 'katie', 'kathy', 'kat', 'catherine', 'cathy', 'kathryn', 'katy', 'kitty'],
  ['margaret', 'maggie', 'meg', 'peggy', 'madge', 'margie'],
  ['rebecca', 'becky', 'becca', 'bex'],
  ['jennifer', 'jen', 'jenny', 'jenna'],
  ['jessica', 'jess', 'jessie'],
  ['victoria', 'vicky', 'vicki', 'tori', 'tory'],
  ['abigail', 'abi', 'abby', 'abbie', 'gail'],
  ['samantha', 'sammie'],
  ['alexandra', 'alexa', 'lexi', 'lexie'],
  ['christine', 'christina', 'chrissie', 'tina'],
  ['deborah', 'debbie', 'debra', 'deb'],
  ['susan', 'sue', 'susie', 'suzanne', 'suzie'],
  ['patricia', 'patsy', 'trish', 'tricia'],
  ['caroline', 'carol', 'carrie', 'carolyn'],
  ['josephine', 'jo', 'josie'],
  ['eleanor', 'ellie', 'nell', 'nellie', 'elle', 'elinor'],
  ['isabella', 'isabel', 'isobel', 'izzy', 'bella', 'issy'],
  ['amelia', 'millie', 'milly'],
  ['florence', 'flo', 'florrie'],
  ['harriet', 'hattie'],
  ['charlotte', 'lottie', 'lotte'],
  ['olivia', 'liv', 'livvy', 'livia'],
  ['sophia', 'sophie', 'sofia'],
  ['natalie', 'natalia', 'tally'],
  ['gabriella', 'gabby', 'gabi', 'gabrielle'],
  ['dorothy', 'dot', 'dotty'],
  ['frances', 'fran', 'frankie'],
  ['francis', 'frank'],
  ['mary', 'molly', 'polly', 'mae'],
  ['sarah', 'sara', 'sally', 'sadie'],
  ['ann', 'anne', 'anna', 'annie'],
  ['louise', 'louisa', 'lou', 'lulu'],
  ['amanda', 'mandy'],
  ['kimberley', 'kimberly', 'kim'],
  ['mohammed', 'muhammad', 'mohammad', 'mohamed', 'muhammed', 'mohamad'],
];

const CANONICAL = new Map<string, string>();
for (const group of GROUPS) for (const name of group) CANONICAL.set(name, group[0]);

/** Every name the table knows, with its group: for a check that no name sits in two groups. */
export const GIVEN_NAME_GROUPS = GROUPS;

/** The group a normalised first given name belongs to, or the name itself. */
export function canonicalGivenName(name: string): string {
  return CANONICAL.get(name) ?? name;
}
