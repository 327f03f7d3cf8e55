export * from './detectors.js';
export * from './scanner.js';
export * from './redactor.js';
export * from './keys.js';
export { luhnValid, cardIssuerValid } from './luhn.js';
export { ibanChecksumValid, ibanLength } from './iban.js';
export { e164Valid, matchPhoneAt } from './phone.js';
export { truncateIPv4, truncateIPv6, expandIPv6 } from './ip.js';
