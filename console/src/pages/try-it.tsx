/**
 * "Try it": encrypt and decrypt a text, or sign and verify one, with the key on this page, and the
 * exact curl and `pqkms` commands for what was just done (the credential read from $PQKMS_API_KEY,
 * never shown). Text goes to the API as UTF-8, ciphertexts and signatures are shown as base64.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Key } from "../api.ts";
import { CopyButton, ErrorNote, ScopedButton } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { curlCommand, missingScope, pqkmsCommand, sentOf, type TryCall } from "../format.ts";

function Command(props: { ctx: Ctx; done: TryCall | null }) {
  if (!props.done) return null;
  const curl = curlCommand(props.ctx.origin, sentOf(props.done));
  const cli = pqkmsCommand(props.ctx.origin, props.done);
  return (
    <div class="command">
      <h3>The same call with curl</h3>
      <pre tabIndex={0} aria-label="curl command">{curl}</pre>
      <CopyButton text={curl} label="Copy the curl command" />
      <h3>The same call with the pqkms command</h3>
      <pre tabIndex={0} aria-label="pqkms command">{cli}</pre>
      <CopyButton text={cli} label="Copy the pqkms command" />
    </div>
  );
}

/**
 * The state both panels share: the last answer shown, the last call made (for its commands) and the
 * last error. `run` sends a call; on success it records it and shows its answer. `footer` renders
 * the three.
 */
function useTry(ctx: Ctx) {
  const [result, setResult] = useState<string | null>(null);
  const [done, setDone] = useState<TryCall | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = <T,>(call: TryCall, promise: Promise<T>, show: (r: T) => void) => {
    setError(null);
    promise.then((r) => {
      setDone(call);
      show(r);
    }, setError);
  };
  const footer = (
    <>
      {result !== null && <p class="result" role="status">{result}</p>}
      <ErrorNote error={error} />
      <Command ctx={ctx} done={done} />
    </>
  );
  return { run, setResult, footer };
}

/** A text area (labelled by its name) and the button that sends it. */
function TextRow(props: { label: string; name: string; value: string; onValue: (value: string) => void; children: ComponentChildren }) {
  return (
    <div class="row">
      <label class="grow">{props.label} <textarea name={props.name} rows={3} value={props.value} onInput={(e) => props.onValue(e.currentTarget.value)} /></label>
      {props.children}
    </div>
  );
}

function EncryptDecrypt(props: { ctx: Ctx; keyValue: Key }) {
  const { ctx, keyValue: key } = props;
  const [plaintext, setPlaintext] = useState("");
  const [ciphertext, setCiphertext] = useState("");
  const { run, setResult, footer } = useTry(ctx);
  return (
    <>
      <TextRow label="Plaintext" name="plaintext" value={plaintext} onValue={setPlaintext}>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:encrypt")} onClick={() => run({ op: "encrypt", key: key.id, plaintext }, ctx.api.encrypt(key.id, plaintext), (r) => { setCiphertext(r.ciphertext); setResult(`Encrypted with version ${r.key_version}.`); })}>Encrypt</ScopedButton>
      </TextRow>
      <TextRow label="Ciphertext" name="ciphertext" value={ciphertext} onValue={setCiphertext}>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:decrypt")} onClick={() => run({ op: "decrypt", key: key.id, ciphertext: ciphertext.trim() }, ctx.api.decrypt(key.id, ciphertext), (r) => setResult(`Decrypted with version ${r.key_version}: ${r.plaintext}`))}>Decrypt</ScopedButton>
      </TextRow>
      {footer}
    </>
  );
}

function SignVerify(props: { ctx: Ctx; keyValue: Key }) {
  const { ctx, keyValue: key } = props;
  const [message, setMessage] = useState("");
  const [signature, setSignature] = useState("");
  const { run, setResult, footer } = useTry(ctx);
  return (
    <>
      <TextRow label="Message" name="message" value={message} onValue={setMessage}>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:sign")} onClick={() => run({ op: "sign", key: key.id, message }, ctx.api.sign(key.id, message), (r) => { setSignature(r.signature); setResult(`Signed with version ${r.key_version}.`); })}>Sign</ScopedButton>
      </TextRow>
      <TextRow label="Signature" name="signature" value={signature} onValue={setSignature}>
        <ScopedButton missing={missingScope(ctx.scopes, "crypto:verify")} onClick={() => run({ op: "verify", key: key.id, message, signature: signature.trim() }, ctx.api.verify(key.id, message, signature), (r) => setResult(r.valid ? `Valid signature (version ${r.key_version}).` : `Not a valid signature for this message (version ${r.key_version}).`))}>Verify</ScopedButton>
      </TextRow>
      {footer}
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
