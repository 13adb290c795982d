/** Reading registry credentials the way the docker CLI does: pure, so it is tested without a registry. */
import { DOCKER_HUB } from '../reference/image-reference';

/** The credentials dockerode hands the engine for a push. Never logged, never written. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export type CredentialSource = { kind: 'basic'; username: string; password: string } | { kind: 'helper'; helper: string } | undefined;

/**
 * Where the Docker config keeps credentials for a host, as the docker CLI
 * reads it: auths[host].auth (base64 user:password), credHelpers[host], then credsStore.
 */
export function credentialSource(configJson: string, host: string): CredentialSource {
  const config = JSON.parse(configJson) as {
    auths?: Record<string, { auth?: string; username?: string; password?: string }>;
    credHelpers?: Record<string, string>;
    credsStore?: string;
  };
  const keys = host === DOCKER_HUB ? ['https://index.docker.io/v1/', 'index.docker.io', DOCKER_HUB] : [host, `https://${host}`, `http://${host}`];
  if (config.credHelpers) for (const key of keys) if (config.credHelpers[key]) return { kind: 'helper', helper: config.credHelpers[key] };
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry?.username && entry.password) return { kind: 'basic', username: entry.username, password: entry.password };
  }
  if (config.credsStore) return { kind: 'helper', helper: config.credsStore };
  return undefined;
}

/** Removes any secret from a message before it is shown. */
export function redact(message: string, auth: RegistryAuth | undefined): string {
  if (!auth) return message;
  let out = message;
  for (const secret of [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}
