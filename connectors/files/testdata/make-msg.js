// Makes sak-123.msg, an Outlook message with a recipient, a CSV attachment
// and an attached message, with the cfb package of SheetJS (npm install cfb):
// node make-msg.js sak-123.msg
const CFB = require('cfb');
const u16 = s => Buffer.from(s + '\0', 'utf16le');
const props = n => Buffer.alloc(n);
const cfb = CFB.utils.cfb_new();
const add = (p, b) => CFB.utils.cfb_add(cfb, p, b);
add('/__properties_version1.0', props(32));
add('/__substg1.0_0037001F', u16('Søknad fnr 10048744732'));
add('/__substg1.0_0C1A001F', u16('Kari Nørdmann'));
add('/__substg1.0_0C1F001F', u16('kari.nordmann@online.no'));
add('/__substg1.0_0E04001F', u16('Support'));
add('/__substg1.0_0E03001E', Buffer.from([0xD8, 0x79, 0x73, 0x74, 0x65, 0x69, 0x6E, 0x20, 0x80, 0x20, 0x39, 0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0]));
add('/__substg1.0_1000001F', u16('Hei, fødselsnummeret mitt er 10048744732, ring meg på 912 34 567.'));
add('/__substg1.0_10130102', Buffer.from('<p>Kontonummer <b>8601.11.17947</b></p>'));
add('/__substg1.0_007D001F', u16('Received: from mail.online.no (84.210.12.7) by mx.firma.no\r\nFrom: Kari <kari.nordmann@online.no>\r\n'));
add('/__recip_version1.0_#00000000/__properties_version1.0', props(8));
add('/__recip_version1.0_#00000000/__substg1.0_3001001F', u16('Ola Nordmann'));
add('/__recip_version1.0_#00000000/__substg1.0_39FE001F', u16('ola@online.no'));
add('/__attach_version1.0_#00000000/__properties_version1.0', props(8));
add('/__attach_version1.0_#00000000/__substg1.0_3707001F', u16('..\\..\\etc\\kunder.csv'));
add('/__attach_version1.0_#00000000/__substg1.0_37010102', Buffer.from('fødselsnummer;navn\n10048744732;Ola\n23114048690;Kari\n'));
add('/__attach_version1.0_#00000001/__properties_version1.0', props(8));
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__properties_version1.0', props(24));
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__substg1.0_0037001F', u16('videresendt'));
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__substg1.0_1000001F', u16('Per sitt nummer er 98765432.'));
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__substg1.0_0C1F001F', u16('per@online.no'));
// A body over 4 KiB lives in the big sectors, not the mini stream.
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__attach_version1.0_#00000000/__substg1.0_37010102', Buffer.from('x '.repeat(3000) + 'fnr 23114048690\n'));
add('/__attach_version1.0_#00000001/__substg1.0_3701000D/__attach_version1.0_#00000000/__substg1.0_3707001F', u16('lang.txt'));
require('fs').writeFileSync(process.argv[2], CFB.write(cfb, {type: 'buffer'}));


// rtf-body.msg: a message whose only body is RTF, stored uncompressed
// ("MELA"): node make-msg.js sak-123.msg rtf-body.msg
if (process.argv[3]) {
  const m = CFB.utils.cfb_new();
  CFB.utils.cfb_add(m, '/__properties_version1.0', props(32));
  CFB.utils.cfb_add(m, '/__substg1.0_0037001F', u16('Ny konto'));
  const rtf = Buffer.from("{\\rtf1\\ansi\\ansicpg1252 F\\'f8dselsnummer 10048744732, konto 8601.11.17947\\par}");
  const head = Buffer.alloc(16);
  head.writeUInt32LE(rtf.length + 12, 0); head.writeUInt32LE(rtf.length, 4); head.write('MELA', 8);
  CFB.utils.cfb_add(m, '/__substg1.0_10090102', Buffer.concat([head, rtf]));
  require('fs').writeFileSync(process.argv[3], CFB.write(m, {type: 'buffer'}));
}
