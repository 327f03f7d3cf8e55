// One /proc and /sys reading module shared by the hostmetrics and ipc receivers.
export { readText, tryReadText } from './read.js';
export { USER_HZ, bootTimeNanos, fields, lines, parseKeyValues, parsePasswd, parseSnmp, statField, table, unescapeOctal } from './parse.js';
export { KeptFile, KeptTexts, numberAfter, parseColonValues, parseStatBytes, readOnce } from './bytes.js';
