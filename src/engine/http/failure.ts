// Maps socket / TLS / DNS errors to the FailureKind counted in http_req_failed.

import type { FailureKind } from './types.ts';

/** Where the connection was when the error happened. */
export type ConnectPhase = 'tcp' | 'tls' | 'open';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY']);
// OpenSSL and Node certificate-verification codes that do not start with ERR_SSL_ / ERR_TLS_.
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
]);

export function classifyError(err: unknown, phase: ConnectPhase): FailureKind {
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  if (DNS_CODES.has(code)) return 'dns';
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || CERT_CODES.has(code)) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (phase === 'tls') return 'tls';
  if (phase === 'tcp' && code === 'ETIMEDOUT') return 'connect_timeout';
  return 'other';
}

/** Short one-line message for an error (target-provided text is escaped by renderers, not here). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code !== undefined && !err.message.includes(String(code)) ? `${String(code)}: ${err.message}` : err.message;
  }
  return String(err);
}
