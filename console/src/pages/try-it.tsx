/**
 * "Try it": encrypt and decrypt a text, or sign and verify one, with the key on this page, and the
 * exact curl command for what was just done (the credential read from $PQKMS_API_KEY, never shown).
 * Text goes to the API as UTF-8 in base64, as any client sends bytes.
 */
import { useState } from "preact/hooks";
import type { Key, SentRequest } from "../api.ts";
import { CopyButton, ErrorNote, ScopedButton } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { base64ToText, curlCommand, missingScope, textToBase64 } from "../format.ts";

function Command(props: { ctx: Ctx; sent: SentRequest | null }) {
  if (!props.sent) return null;
  const command = curlCommand(props.ctx.origin, props.sent);
  return (
    <div class="command">
      <h3>The same call with curl</h3>
      <pre tabIndex={0} aria-label="curl command">{command}</pre>
      <CopyButton text={command} label="Copy the curl command" />
    </div>
  );
}

function EncryptDecrypt(props: { ctx: Ctx; keyValue: Key }) {
  const { ctx, keyValue: key } = props;
  const [plaintext, setPlaintext] = useState("");
  const [ciphertext, setCiphertext] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [sent, setSent] = useState<SentRequest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = <T,>(call: Promise<{ sent: SentRequest; result: T }>, show: (r: T) => void) => {
    setError(null);
    call.then(({ sent: s, result: r }) => {
      setSent(s);
      show(r);
    }, setError);
  };
  return (
    <>
      <div class="row">
        <label class="grow">Plaintext <textarea name="plaintext" rows={3} value={plaintext} onInput={(e) => setPlaintext(e.currentTarget.value)} /></label>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:encrypt")} onClick={() => run(ctx.api.encrypt(key.id, textToBase64(plaintext)), (r) => { setCiphertext(r.ciphertext); setResult(`Encrypted with version ${r.key_version}.`); })}>Encrypt</ScopedButton>
      </div>
      <div class="row">
        <label class="grow">Ciphertext <textarea name="ciphertext" rows={3} value={ciphertext} onInput={(e) => setCiphertext(e.currentTarget.value)} /></label>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:decrypt")} onClick={() => run(ctx.api.decrypt(key.id, ciphertext.trim()), (r) => setResult(`Decrypted with version ${r.key_version}: ${base64ToText(r.plaintext)}`))}>Decrypt</ScopedButton>
      </div>
      {result !== null && <p class="result" role="status">{result}</p>}
      <ErrorNote error={error} />
      <Command ctx={ctx} sent={sent} />
    </>
  );
}

function SignVerify(props: { ctx: Ctx; keyValue: Key }) {
  const { ctx, keyValue: key } = props;
  const [message, setMessage] = useState("");
  const [signature, setSignature] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [sent, setSent] = useState<SentRequest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = <T,>(call: Promise<{ sent: SentRequest; result: T }>, show: (r: T) => void) => {
    setError(null);
    call.then(({ sent: s, result: r }) => {
      setSent(s);
      show(r);
    }, setError);
  };
  return (
    <>
      <div class="row">
        <label class="grow">Message <textarea name="message" rows={3} value={message} onInput={(e) => setMessage(e.currentTarget.value)} /></label>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:sign")} onClick={() => run(ctx.api.sign(key.id, textToBase64(message)), (r) => { setSignature(r.signature); setResult(`Signed with version ${r.key_version}.`); })}>Sign</ScopedButton>
      </div>
      <div class="row">
        <label class="grow">Signature <textarea name="signature" rows={3} value={signature} onInput={(e) => setSignature(e.currentTarget.value)} /></label>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:verify")} onClick={() => run(ctx.api.verify(key.id, textToBase64(message), signature.trim()), (r) => setResult(r.valid ? `Valid signature (version ${r.key_version}).` : `Not a valid signature for this message (version ${r.key_version}).`))}>Verify</ScopedButton>
      </div>
      {result !== null && <p class="result" role="status">{result}</p>}
      <ErrorNote error={error} />
      <Command ctx={ctx} sent={sent} />
    </>
  );
}

export function TryIt(props: { ctx: Ctx; keyValue: Key }) {
  const purpose = props.keyValue.purpose;
  return (
    <section class="panel" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      {purpose === "encrypt" && <EncryptDecrypt {...props} />}
      {purpose === "sign" && <SignVerify {...props} />}
      {purpose === "mac" && <p class="muted">HMAC keys make and check tags with POST /v1/keys/&lt;id&gt;/mac and /verify-mac (see <a href="/docs">the API reference</a>).</p>}
    </section>
  );
}
