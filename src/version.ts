// The version the build stamps in (package.json), and the User-Agent every client sends.
declare const __TELEMD_VERSION__: string;

export const VERSION = typeof __TELEMD_VERSION__ === 'string' ? __TELEMD_VERSION__ : '0.0.0-dev';
export const USER_AGENT = `telemd/${VERSION}`;
