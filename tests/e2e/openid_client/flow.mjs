// Drives panva's certified `openid-client` (v6) against a running gosid IdP.
//
// Usage: node flow.mjs CONFIG.json
//
// The person's part (login form, SMS code, consent) is done by the Python test: whenever a
// browser is needed this script prints one JSON line {"step": ..., "url": ...} on stdout and
// reads the URL the browser ended at (one line) from stdin. Everything else, including every
// check of the responses, is openid-client's own. The last stdout line is {"step": "result", ...}.
// An error ends the script with exit code 1 and a {"step": "error", ...} line.

import { createInterface } from 'node:readline'
import { readFileSync } from 'node:fs'
import * as client from 'openid-client'
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const issuer = new URL(config.issuer)
const insecure = { execute: [client.allowInsecureRequests] } // loopback http:// test IdP only

// --- talking to the Python side --------------------------------------------------------------

const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()

function emit(message) {
  process.stdout.write(JSON.stringify(message) + '\n')
}

async function browser(step, url) {
  emit({ step, url: url.href })
  const { value, done } = await stdinLines.next()
  if (done) throw new Error(`stdin closed while waiting for the ${step} step`)
  return new URL(value.trim())
}

// --- every HTTP exchange openid-client makes, for the Python assertions ------------------------

const exchanges = []

function recording(label) {
  return async (url, options) => {
    const response = await fetch(url, options)
    const entry = {
      client: label,
      method: options.method,
      url: String(url),
      status: response.status,
      dpop_proof: new Headers(options.headers).has('dpop'),
      dpop_nonce_returned: response.headers.has('dpop-nonce'),
    }
    const type = response.headers.get('content-type') || ''
    if (type.includes('json')) {
      try {
        const body = await response.clone().json()
        if (body && typeof body === 'object') {
          entry.error = body.error
          entry.token_type = body.token_type // as sent, before openid-client normalises it
        }
      } catch {
        // not JSON after all; openid-client will complain
      }
    }
    exchanges.push(entry)
    return response
  }
}

function configure(configuration, label) {
  configuration[client.customFetch] = recording(label)
  return configuration
}

// --- helpers ---------------------------------------------------------------------------------

async function importPrivateJwk(jwk) {
  const algorithm = jwk.kty === 'EC' ? { name: 'ECDSA', namedCurve: jwk.crv } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const { kid, alg, use, ...material } = jwk
  const key = await crypto.subtle.importKey('jwk', material, algorithm, false, ['sign'])
  return { key, kid }
}

async function codeFlow(configuration, label, { extra = {}, par = false, DPoP } = {}) {
  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const parameters = {
    redirect_uri: configuration.clientMetadata().redirect_uris[0],
    scope: 'openid profile phone offline_access', // offline_access: the refresh tokens the flows use
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  }
  const url = par
    ? await client.buildAuthorizationUrlWithPAR(configuration, parameters, { DPoP })
    : client.buildAuthorizationUrl(configuration, parameters)
  const callback = await browser(`authorize:${label}`, url)
  const tokens = await client.authorizationCodeGrant(
    configuration,
    callback,
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    { DPoP },
  )
  return { tokens, authorizationUrl: url, callback }
}

function summary(tokens) {
  const header = decodeProtectedHeader(tokens.access_token)
  const access = decodeJwt(tokens.access_token)
  return {
    token_type: tokens.token_type,
    scope: tokens.scope,
    expires_in: tokens.expires_in,
    has_refresh_token: typeof tokens.refresh_token === 'string',
    id_token_alg: tokens.id_token ? decodeProtectedHeader(tokens.id_token).alg : null,
    claims: tokens.claims() ?? null,
    access_token_header: header,
    access_token: { sub: access.sub, aud: access.aud, client_id: access.client_id, cnf: access.cnf ?? null },
  }
}

async function expectFailure(promise) {
  try {
    await promise
  } catch (err) {
    return { name: err.name, code: err.code ?? null, error: err.error ?? null, status: err.status ?? null }
  }
  return null
}

// --- the scenarios ---------------------------------------------------------------------------

async function confidentialClient() {
  const c = config.clients.basic
  const configuration = configure(
    await client.discovery(
      issuer,
      c.client_id,
      { redirect_uris: [c.redirect_uri], post_logout_redirect_uris: [c.post_logout_redirect_uri] },
      client.ClientSecretBasic(c.client_secret),
      insecure,
    ),
    'basic',
  )
  const { tokens, callback } = await codeFlow(configuration, 'basic')
  const sub = tokens.claims().sub
  const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, sub)
  const refreshed = await client.refreshTokenGrant(configuration, tokens.refresh_token)
  return {
    configuration,
    idToken: refreshed.id_token ?? tokens.id_token,
    refreshTokens: [tokens.refresh_token, refreshed.refresh_token],
    report: {
      callback_params: Object.fromEntries(callback.searchParams),
      tokens: summary(tokens),
      userinfo,
      refreshed: summary(refreshed),
      refresh_rotated: refreshed.refresh_token !== tokens.refresh_token,
      reuse_of_rotated_refresh_token: await expectFailure(client.refreshTokenGrant(configuration, tokens.refresh_token)),
    },
  }
}

async function fapiClient() {
  const c = config.clients.fapi
  const configuration = configure(
    await client.discovery(
      issuer,
      c.client_id,
      {
        redirect_uris: [c.redirect_uri],
        id_token_signed_response_alg: c.id_token_signed_response_alg,
        require_pushed_authorization_requests: true,
      },
      client.PrivateKeyJwt(await importPrivateJwk(c.private_jwk)),
      insecure,
    ),
    'fapi',
  )
  const keyPair = await client.randomDPoPKeyPair('ES256')
  const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey))
  const DPoP = client.getDPoPHandle(configuration, keyPair)
  const { tokens, authorizationUrl } = await codeFlow(configuration, 'fapi', { par: true, DPoP })
  const sub = tokens.claims().sub
  const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, sub, { DPoP })
  const userinfoWithoutProof = await expectFailure(client.fetchUserInfo(configuration, tokens.access_token, sub))
  const refreshed = await client.refreshTokenGrant(configuration, tokens.refresh_token, undefined, { DPoP })
  const introspection = await client.tokenIntrospection(configuration, refreshed.access_token)
  const machine = await client.clientCredentialsGrant(configuration, { scope: 'openid' }, { DPoP })
  await client.tokenRevocation(configuration, refreshed.refresh_token, { token_type_hint: 'refresh_token' })
  const afterRevocation = await expectFailure(
    client.refreshTokenGrant(configuration, refreshed.refresh_token, undefined, { DPoP }),
  )
  return {
    report: {
      authorization_url_params: [...authorizationUrl.searchParams.keys()].sort(),
      dpop_jkt: jkt,
      tokens: summary(tokens),
      userinfo,
      userinfo_without_dpop_proof: userinfoWithoutProof,
      refreshed: summary(refreshed),
      introspection,
      client_credentials: {
        token_type: machine.token_type,
        access_token: decodeJwt(machine.access_token),
        has_refresh_token: typeof machine.refresh_token === 'string',
      },
      refresh_after_revocation: afterRevocation,
    },
  }
}

async function publicClient() {
  // RFC 7591 registration at the IdP's registration endpoint, then a public client (auth "none").
  const c = config.clients.public
  const configuration = configure(
    await client.dynamicClientRegistration(
      issuer,
      {
        client_name: 'openid-client public e2e',
        redirect_uris: [c.redirect_uri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile phone',
      },
      client.None(),
      { ...insecure, initialAccessToken: config.registration_token },
    ),
    'public',
  )
  const { tokens } = await codeFlow(configuration, 'public', { extra: { response_mode: 'query' } })
  const refreshed = await client.refreshTokenGrant(configuration, tokens.refresh_token)
  return {
    report: {
      client_id: configuration.clientMetadata().client_id,
      token_endpoint_auth_method: configuration.clientMetadata().token_endpoint_auth_method,
      tokens: summary(tokens),
      refreshed: summary(refreshed),
    },
  }
}

async function logout(basic) {
  const c = config.clients.basic
  const state = client.randomState()
  const url = client.buildEndSessionUrl(basic.configuration, {
    id_token_hint: basic.idToken,
    post_logout_redirect_uri: c.post_logout_redirect_uri,
    state,
  })
  const landed = await browser('logout', url)
  const refreshAfterLogout = await expectFailure(client.refreshTokenGrant(basic.configuration, basic.refreshTokens[1]))
  return {
    end_session_url_params: [...url.searchParams.keys()].sort(),
    expected_state: state,
    landed_at: landed.href,
    refresh_after_logout: refreshAfterLogout,
  }
}

async function main() {
  const basic = await confidentialClient()
  const fapi = await fapiClient()
  const pub = await publicClient()
  const loggedOut = await logout(basic)
  const metadata = basic.configuration.serverMetadata()
  emit({
    step: 'result',
    node: process.version,
    discovery: { issuer: metadata.issuer, end_session_endpoint: metadata.end_session_endpoint },
    basic: basic.report,
    fapi: fapi.report,
    public: pub.report,
    logout: loggedOut,
    exchanges,
  })
}

main().then(
  () => process.exit(0),
  (err) => {
    emit({
      step: 'error',
      name: err?.name,
      message: String(err?.message ?? err),
      code: err?.code ?? null,
      error: err?.error ?? null,
      error_description: err?.error_description ?? null,
      cause: err?.cause === undefined ? null : JSON.parse(JSON.stringify(err.cause, (_k, v) => (v instanceof Response ? `Response ${v.status}` : v)) ?? 'null'),
      exchanges,
    })
    process.exit(1)
  },
)
