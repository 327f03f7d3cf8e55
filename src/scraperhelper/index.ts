export { InFlight, MAX_IN_FLIGHT } from './inflight.js';
export { ScrapeController, type ScrapeControllerOptions } from './controller.js';
