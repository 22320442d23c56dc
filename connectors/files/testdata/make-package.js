// Makes pakke.bin, an OLE object of the class Package as Word and
// PowerPoint embed a file dragged into a document (word/embeddings/
// oleObject1.bin): a compound file whose Ole10Native stream holds a CSV
// file with its name, in the layout Apache POI and oletools read; with
// the cfb package of SheetJS (npm install cfb@1.2.2):
// node make-package.js pakke.bin ole-vedlegg.msg
// ole-vedlegg.msg is an Outlook message with the same object attached as
// Outlook attaches an object embedded in a rich-text message: its storage
// in the attachment's (method 6, ATTACH_OLE).
const CFB = require('cfb');
const csv = Buffer.from('fødselsnummer;navn;konto\n10048744732;Kari Nordmann;8601.11.17947\n', 'latin1');
const z = s => Buffer.from(s + '\0', 'latin1');
const u32 = n => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const temp = z('C:\\Users\\kari\\AppData\\Local\\Temp\\kunder.csv');
const body = Buffer.concat([
  Buffer.from([2, 0]), z('kunder.csv'), z('C:\\Users\\kari\\Documents\\kunder.csv'),
  Buffer.from([0, 0, 3, 0]), u32(temp.length), temp, u32(csv.length), csv,
]);
const cfb = CFB.utils.cfb_new();
// {0003000C-0000-0000-C000-000000000046}, the class id of Package.
cfb.FileIndex[0].clsid = '0C00030000000000C000000000000046';
CFB.utils.cfb_add(cfb, '/\u0001Ole10Native', Buffer.concat([u32(body.length), body]));
CFB.utils.cfb_add(cfb, '/\u0001CompObj', Buffer.concat([
  Buffer.from([1, 0, 0xfe, 0xff, 3, 0x0a, 0, 0, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from('0C00030000000000C000000000000046', 'hex'),
  u32(8), z('Package'), u32(0), u32(8), z('Package'), u32(0x71B239F4), u32(0),
]));
require('fs').writeFileSync(process.argv[2], CFB.write(cfb, {type: 'buffer'}));

const u16 = s => Buffer.from(s + '\0', 'utf16le');
const msg = CFB.utils.cfb_new();
const add = (p, b) => CFB.utils.cfb_add(msg, p, b);
add('/__properties_version1.0', Buffer.alloc(32));
add('/__substg1.0_0037001F', u16('Kundeliste'));
add('/__substg1.0_1000001F', u16('Se vedlagt.'));
const at = '/__attach_version1.0_#00000000/';
add(at + '__properties_version1.0', Buffer.alloc(8));
add(at + '__substg1.0_3707001F', u16('kunder.csv'));
for (const e of cfb.FileIndex.slice(1)) {
  if (e.type === 2) add(at + '__substg1.0_3701000D/' + e.name, e.content);
}
require('fs').writeFileSync(process.argv[3], CFB.write(msg, {type: 'buffer'}));
