// What the test pages record of the MediaSource the player drives: every addSourceBuffer and
// changeType MIME type, whether the MediaSource is the page's (`worker: false`) or a Worker's. For a
// Worker, the same recording runs inside it first (a module the Worker's script is imported after)
// and reports back in messages the player ignores.
const RECORD = `
const report = (kind, mime) => self.postMessage({ hlsplayTestMse: [kind, mime] });
const add = MediaSource.prototype.addSourceBuffer;
MediaSource.prototype.addSourceBuffer = function (mime) { report('mime', mime); return add.call(this, mime); };
const change = SourceBuffer.prototype.changeType;
SourceBuffer.prototype.changeType = function (mime) { report('changeType', mime); return change.call(this, mime); };
`;

export function recordMse() {
  const mimes = [];
  const changeTypes = [];
  const record = (kind, mime) => (kind === 'mime' ? mimes : changeTypes).push(mime);
  const add = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function (mime) { record('mime', mime); return add.call(this, mime); };
  const change = SourceBuffer.prototype.changeType;
  SourceBuffer.prototype.changeType = function (mime) { record('changeType', mime); return change.call(this, mime); };
  const blob = (text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  const recordModule = blob(RECORD);
  window.Worker = class extends window.Worker {
    constructor(url, options) {
      const script = new URL(url, location.href).href;
      super(blob(`import ${JSON.stringify(recordModule)};\nimport ${JSON.stringify(script)};\n`), options);
      this.addEventListener('message', (e) => {
        if (e.data?.hlsplayTestMse) record(...e.data.hlsplayTestMse);
      });
    }
  };
  return { mimes, changeTypes };
}
