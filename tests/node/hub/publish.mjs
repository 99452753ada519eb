// Publishes events to the hub over HTTP; exits the script when the hub does not accept them.
export async function publish({ url, apikey, body }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) {
    console.error(`publish answered ${response.status}: ${await response.text()}`);
    process.exit(1);
  }
}
