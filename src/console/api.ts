// The console's route contract: what any component (the console itself, the alerts connector,
// SLO connectors, the web console) serves under the console's one listener. The console owns
// the listener, authentication, Origin/Host checks, body parsing and the Prometheus-style JSON
// envelope; a route only turns an authenticated request into data.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who made an authenticated request: the bearer token now, a browser session later (issue 18). */
export interface Principal {
  readonly kind: 'token' | 'session';
  /** Shown in audit records (who acknowledged an alert): "token", or the session's user. */
  readonly name: string;
}

export interface ApiRequest {
  readonly method: HttpMethod;
  /** Path without the query string, e.g. `/api/v1/alerts/4f2a…/ack`. */
  readonly path: string;
  /** `{name}` segments of the route path, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Query-string parameters, plus the fields of an `application/x-www-form-urlencoded` body
   * (Prometheus' `r.FormValue`: body fields first, then the URL's).
   */
  readonly form: URLSearchParams;
  /** The body as JSON (`application/json` requests), else undefined. Bounded in size. */
  readonly body: unknown;
  readonly principal: Principal;
  /** Aborts when the client goes away (long queries and streams stop). */
  readonly signal: AbortSignal;
  readonly raw: IncomingMessage;
}

/** A route answered with the Prometheus envelope: `{"status":"success","data":…}`. */
export interface JsonRoute {
  readonly method: HttpMethod | readonly HttpMethod[];
  /** `/api/v1/alerts/{fp}/ack`: literal segments and `{name}` parameters. */
  readonly path: string;
  /** `write` routes change state (a browser session will need a CSRF token for them). */
  readonly access: 'read' | 'write';
  /** One line for the console's route list (`GET /api/v1/status/routes`). */
  readonly description: string;
  handle(req: ApiRequest): Promise<JsonResult> | JsonResult;
}

export interface JsonResult {
  data?: unknown;
  /** `data` already as JSON text (exact bytes, e.g. query results as Prometheus writes them). */
  dataJson?: string;
  /** Prometheus' `warnings` member. */
  warnings?: string[];
  /** Default 200. */
  status?: number;
}

/** A route that writes its own response (streams: tap NDJSON, WebSocket, static pages). */
export interface RawRoute {
  readonly method: HttpMethod | readonly HttpMethod[];
  readonly path: string;
  readonly access: 'read' | 'write';
  readonly description: string;
  readonly raw: true;
  handle(req: ApiRequest, res: ServerResponse): Promise<void> | void;
}

export type ConsoleRoute = JsonRoute | RawRoute;

/** Prometheus' errorType values and the status each is answered with. */
export const ERROR_STATUS = {
  bad_data: 400,
  not_found: 404,
  execution: 422,
  canceled: 499,
  internal: 500,
  unavailable: 503,
  timeout: 503,
} as const;
export type ApiErrorType = keyof typeof ERROR_STATUS;

/** Thrown by a route: answered `{"status":"error","errorType":…,"error":…}`. */
export class ApiError extends Error {
  constructor(
    readonly errorType: ApiErrorType,
    message: string,
    /** Overrides the status of the errorType (e.g. 405, 409). */
    readonly status: number = ERROR_STATUS[errorType],
  ) {
    super(message);
  }
}
