/**
 * The kinds of intent a UE may express in plain English, as data: which TS 28.312 object each one
 * is about, its default verb, and weighted cues the offline engine scores over wink-nlp lemmas and
 * normal forms (single words and 2-3 word phrases). A text's score for a kind is the sum of the
 * weights of the distinct cues it contains; the cues are hand-weighted so that a domain noun
 * (wifi, router, bill, latency) outweighs a shared complaint word (slow, bad, not working), which
 * deliberately scores for every kind it could belong to and so produces a clarification when it
 * is all the text says ("my internet is bad").
 */
import type { ExpectationVerb, IntentObjectType } from './intent-vocabulary.ts';

export type IntentKindId =
  | 'qos-boost'
  | 'mobile-diagnosis'
  | 'location'
  | 'cell-load'
  | 'broadband-fault'
  | 'broadband-line-check'
  | 'plan'
  | 'measurement';

export interface IntentKind {
  id: IntentKindId;
  objectType: IntentObjectType;
  /** TS 28.312 verb when the text does not change it: DELIVER for an action, ENSURE for a guarantee. */
  verb: ExpectationVerb;
  /** How a clarification names the kind: "your mobile connection". */
  label: string;
  /** A phrasing offered as a candidate; the offline engine understands it unambiguously (tested). */
  suggestion: string;
  /** lemma, normal form or phrase -> weight. */
  cues: Readonly<Record<string, number>>;
}

// Complaint words, shared by the kinds about something broken.
const TROUBLE = { slow: 1, bad: 1, terrible: 1, awful: 1, 'not work': 1, problem: 1, issue: 1, unstable: 1, 'keep cut': 1 };

const KINDS: IntentKind[] = [
  {
    id: 'qos-boost',
    objectType: 'UE_QoS',
    verb: 'DELIVER',
    label: 'a quality boost for your video, gaming or calls',
    suggestion: 'boost my video quality for 2 hours',
    cues: {
      boost: 3, qos: 3, 'quality of service': 3, prioritise: 2.5, prioritize: 2.5, priority: 2.5, guarantee: 2, ensure: 1,
      quality: 1.5, improve: 1.5, better: 1, faster: 1.5, 'speed up': 3, upgrade: 0.5, smooth: 1.5, call: 1,
      latency: 2.5, ping: 2, lag: 2.5, laggy: 2.5, jitter: 2, buffer: 2.5, stutter: 2.5, freeze: 1.5,
      bandwidth: 2.5, mbps: 2, gbps: 2, ms: 1.5, millisecond: 1.5, throughput: 1,
      video: 1.5, stream: 1.5, streaming: 1.5, movie: 1, netflix: 1.5, youtube: 1.5, hd: 1, '4k': 1.5,
      game: 1.5, gaming: 1.5, 'video call': 1.5, 'voice call': 1, conference: 1, meeting: 1, zoom: 1,
    },
  },
  {
    id: 'mobile-diagnosis',
    objectType: 'UE_Connectivity',
    verb: 'DELIVER',
    label: 'your mobile connection',
    suggestion: 'why is my mobile data so slow',
    cues: {
      ...TROUBLE,
      diagnose: 2.5, diagnosis: 2.5, troubleshoot: 1.5, why: 1, 'what be wrong': 1.5,
      mobile: 2, cellular: 2, phone: 1, data: 1, lte: 2, 'mobile data': 1, 'no internet': 1.5,
      connection: 2, connectivity: 2, connect: 1, internet: 1, network: 1, signal: 1, coverage: 1.5, reception: 1.5,
      drop: 2.5, disconnect: 2.5, 'cut out': 2, 'keep drop': 1, 'no signal': 3, 'no service': 3, call: 1,
    },
  },
  {
    id: 'location',
    objectType: 'UE_Location',
    verb: 'DELIVER',
    label: 'where you are',
    suggestion: 'where am I',
    cues: {
      where: 3, location: 3, locate: 3, position: 2.5, whereabouts: 3, gps: 2, coordinate: 2,
      'which cell': 3, 'what cell': 3, 'serving cell': 2.5, 'find my phone': 2, 'where be i': 1,
    },
  },
  {
    id: 'cell-load',
    objectType: 'Cell_Load',
    verb: 'DELIVER',
    label: 'how busy your cell is',
    suggestion: 'how busy is my cell right now',
    cues: {
      busy: 3, crowded: 2.5, congestion: 3, congest: 3, congested: 3, load: 2.5, quiet: 3, quieter: 3,
      'less busy': 2, 'peak hour': 2, 'rush hour': 2, 'best time': 2, cell: 1.5, 'how many people': 2, 'how many user': 2,
    },
  },
  {
    id: 'broadband-fault',
    objectType: 'Home_Broadband_Service',
    verb: 'ENSURE',
    label: 'your home broadband or wifi',
    suggestion: 'my home wifi is not working',
    cues: {
      ...TROUBLE,
      home: 2.5, house: 2, flat: 1, apartment: 1, wifi: 3, router: 3, modem: 3, ont: 2, broadband: 2, fibre: 2, fiber: 2,
      'fixed line': 2, adsl: 2, dsl: 2, landline: 1.5, internet: 1, connection: 0.5,
      broken: 1.5, down: 1, dead: 1.5, outage: 1.5, fix: 1.5, repair: 1.5, 'no internet': 1.5, drop: 1, disconnect: 1, 'keep drop': 1,
    },
  },
  {
    id: 'broadband-line-check',
    objectType: 'Home_Broadband_Service',
    verb: 'DELIVER',
    label: 'a check of your broadband line',
    suggestion: 'is my broadband line ok',
    cues: {
      line: 3, 'line check': 2, check: 1.5, test: 1.5, ok: 1, okay: 1, fine: 1, healthy: 1, status: 1,
      broadband: 1.5, fibre: 1, fiber: 1, 'fixed line': 1,
    },
  },
  {
    id: 'plan',
    objectType: 'Subscription_Plan',
    verb: 'DELIVER',
    label: 'your bill, plan or data allowance',
    suggestion: 'how much data do I have left',
    cues: {
      bill: 3, billing: 3, invoice: 3, plan: 3, tariff: 3, subscription: 2.5, contract: 2, allowance: 3,
      left: 1.5, 'how much data': 2, remain: 2, cost: 2, price: 1.5, pay: 2, charge: 2, fee: 2, 'top up': 2,
      unlimited: 2, 'add-on': 2, roaming: 1.5, 'how much': 1, 'change my': 1, switch: 1, downgrade: 2, upgrade: 1.5, cheaper: 2,
    },
  },
  {
    id: 'measurement',
    objectType: 'UE_Measurement',
    verb: 'DELIVER',
    label: 'a signal measurement on your phone',
    suggestion: 'measure the signal strength on my phone',
    cues: {
      measure: 3, measurement: 3, 'signal strength': 3, strength: 1.5, signal: 1, rsrp: 3, rsrq: 3, sinr: 3, dbm: 2.5,
      bar: 1.5, 'speed test': 2.5, battery: 2, device: 1, phone: 1, 'on my phone': 1, reading: 1.5,
    },
  },
];

export const INTENT_KINDS: readonly IntentKind[] = Object.freeze(KINDS);

/** What the network can do for a UE, said when a text is out of scope or not understood. */
export const SCOPE_HELP =
  'I can help with your mobile service: boosting quality for video, gaming or calls; finding out why your mobile ' +
  'connection is slow or dropping; telling you where you are or how busy your cell is; fixing or checking your home ' +
  'broadband; your bill, plan or data allowance; and measuring the signal on your phone.';

export const HOW_CAN_I_HELP = `Hello! ${SCOPE_HELP} What would you like to do?`;
export const NOT_UNDERSTOOD = `Sorry, I did not understand that. ${SCOPE_HELP} What would you like to do?`;
export const OUT_OF_SCOPE = `Sorry, that is not something the network can help with. ${SCOPE_HELP} What would you like to do?`;
export const ENGLISH_ONLY = `Sorry, I only understand English for now. ${SCOPE_HELP} Could you ask again in English?`;

/** Words of a greeting or a request for help, answered with what can be asked rather than "sorry". */
export const GREETING_WORDS: ReadonlySet<string> = new Set([
  'hi', 'hello', 'hey', 'help', 'please', 'good', 'morning', 'afternoon', 'evening', 'there', 'what', 'can', 'you', 'do', 'be',
  'i', 'me', 'ask', 'thanks', 'thank', 'menu', 'option', 'options', 'start', 'anything', 'for',
]);

/** One suggestion per kind, for clarifications that list what can be asked. */
export const SUGGESTIONS: readonly string[] = INTENT_KINDS.map((kind) => kind.suggestion);
