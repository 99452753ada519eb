// Publishes events to the hub over HTTP; exits the script when the hub does not accept them.
// rawBody, when given, is sent as it is (JSON text JavaScript would not keep, such as 1.10), instead of body.
export async function publish({ url, apikey, body, rawBody }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey },
    body: rawBody ?? JSON.stringify(body),
  });
  if (response.status !== 202) {
    console.error(`publish answered ${response.status}: ${await response.text()}`);
    process.exit(1);
  }
}
