/** One protocol message (a JSON line) may not exceed this; larger ones are refused unread. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/**
 * How deep a request may nest, and how many items (containers, strings, commas) it may hold. No request needs more
 * than 3 levels (envelope, params, a list or record in them) or 3,000 items (a profile with a 1000-argument command
 * and 200 variables has about 2,700). Past these it is refused unparsed: tiny arrays cost fifty times their bytes.
 */
export const MAX_REQUEST_DEPTH = 32;
export const MAX_REQUEST_ITEMS = 10_000;
/** Prompts are kept whole up to this many UTF-16 code units (a 1 MB paste fits with room to spare). */
export const MAX_PROMPT_CHARS = 4 * 1024 * 1024;
/** Keystrokes or a reply sent to a running agent in one message. */
export const MAX_INPUT_CHARS = 256 * 1024;
/** The most bytes of a run log returned by one read. */
export const MAX_LOG_READ_BYTES = 1024 * 1024;
export const MAX_LIST_LIMIT = 1000;
/** The most of a review's unified diff sent in one answer: with the rest of the review it must fit one message. */
export const MAX_REVIEW_DIFF_BYTES = 4 * 1024 * 1024;
/** Connections served at once: each holds buffers and watchers, so their number is bounded too. */
export const MAX_CLIENT_CONNECTIONS = 256;
/**
 * The most tasks one batch files. A task costs a request up to 11 values (`{"prompt":…,"profile":…,"priority":…,"line":…}`
 * and its comma), so 800 of them stay within MAX_REQUEST_ITEMS with the envelope; a longer list is split by the person.
 */
export const MAX_BATCH_TASKS = 800;
/** The most profiles one best-of task is given to. */
export const MAX_BEST_OF = 8;
/** The most prerequisites one task waits for. */
export const MAX_PREREQUISITES = 100;
/** The largest WebSocket message web mode takes (its maxPayload): a 1 MB paste, escaped, with room to spare. */
export const MAX_WEB_MESSAGE_BYTES = 4 * 1024 * 1024;
