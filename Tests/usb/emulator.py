#!/usr/bin/python3
"""Scripted USB scanner emulator for the real libusb, on umockdev (see ../../../shared/research/usb-cups-feasibility.md).

    umockdev-wrapper /usr/bin/python3 Tests/usb/emulator.py -- COMMAND...

Builds a mocked /sys + /dev (root hub only), starts COMMAND with $RUYI_USB_EMULATOR naming a Unix socket, and serves
that socket: one JSON object per line in, one per line out. COMMAND (the Swift test binary) plugs and unplugs scanners,
sends reports, stalls endpoints and reads the log of ioctls libusb made. Exits with COMMAND's exit status.

Ops: plug {name, vid, pid, transport: keyboard|hidpos|cdc, serial?, product?, port?, kernelDriver?, claimBusy?,
     descriptors? (hex, to send malformed ones)} · unplug {name} · send {name, reports: [hex], gapMS?} ·
     stall {name, count} · log {name} · state {name} · wait {name, timeoutMS} (until every sent report was read).
x86_64 only (usbdevfs struct offsets).
"""
import errno, json, os, socket, struct, subprocess, sys, tempfile, threading, time, warnings
import gi
gi.require_version('UMockdev', '1.0')
with warnings.catch_warnings():
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    from gi.repository import UMockdev

SUBMITURB, DISCARDURB, REAPURB, REAPURBNDELAY = 0x8038550A, 0x550B, 0x4008550C, 0x4008550D
CLAIMINTERFACE, RELEASEINTERFACE, GETDRIVER = 0x8004550F, 0x80045510, 0x41045508
GET_CAPABILITIES, DISCONNECT_CLAIM, GET_SPEED = 0x8004551A, 0x8108551B, 0x551F
SETCONFIGURATION, SETINTERFACE, CLEAR_HALT, RESET, USBIOCTL = 0x80045505, 0x80085504, 0x80045515, 0x5514, 0xC0105512
DISCONNECT, CONNECT = 0x5516, 0x5517
URB_SIZE = 56
T_ISO, T_INTR, T_CTRL, T_BULK = 0, 1, 2, 3
NAMES = {SUBMITURB: 'SUBMITURB', DISCARDURB: 'DISCARDURB', REAPURB: 'REAPURB', REAPURBNDELAY: 'REAPURBNDELAY',
         CLAIMINTERFACE: 'CLAIMINTERFACE', RELEASEINTERFACE: 'RELEASEINTERFACE', GETDRIVER: 'GETDRIVER',
         GET_CAPABILITIES: 'GET_CAPABILITIES', DISCONNECT_CLAIM: 'DISCONNECT_CLAIM', GET_SPEED: 'GET_SPEED',
         SETCONFIGURATION: 'SETCONFIGURATION', SETINTERFACE: 'SETINTERFACE', CLEAR_HALT: 'CLEAR_HALT', RESET: 'RESET'}

ROOT_HUB = '''P: /devices/pci0000:00/0000:00:14.0/usb1
N: bus/usb/001/001
E: BUSNUM=001
E: DEVNAME=/dev/bus/usb/001/001
E: DEVNUM=001
E: DEVTYPE=usb_device
E: SUBSYSTEM=usb
A: bConfigurationValue=1\\n
A: busnum=1\\n
A: devnum=1\\n
A: idProduct=0002
A: idVendor=1d6b
A: speed=480\\n
H: descriptors=12010002090001406B1D020006060302010109021900010100E0000904000001090000000705810304000C
'''


def descriptors(vid, pid, transport, has_serial):
    dev = bytes([0x12, 0x01, 0x00, 0x02, 0, 0, 0, 0x40]) + struct.pack('<HHH', vid, pid, 0x0100) + bytes([1, 2, 3 if has_serial else 0, 1])
    if transport == 'keyboard':
        body = bytes([9, 4, 0, 0, 1, 3, 1, 1, 0]) + bytes([9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x3F, 0]) + bytes([7, 5, 0x81, 3, 8, 0, 1])
        n = 1
    elif transport == 'hidpos':
        body = (bytes([9, 4, 0, 0, 2, 3, 0, 0, 0]) + bytes([9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x40, 0]) +
                bytes([7, 5, 0x81, 3, 64, 0, 1]) + bytes([7, 5, 0x02, 3, 64, 0, 1]))
        n = 1
    elif transport == 'cdc':
        body = (bytes([9, 4, 0, 0, 1, 2, 2, 1, 0]) + bytes([7, 5, 0x83, 3, 8, 0, 16]) +
                bytes([9, 4, 1, 0, 2, 10, 0, 0, 0]) + bytes([7, 5, 0x81, 2, 64, 0, 0]) + bytes([7, 5, 0x02, 2, 64, 0, 0]))
        n = 2
    else:
        raise ValueError('transport ' + transport)
    cfg = bytes([9, 2]) + struct.pack('<H', 9 + len(body)) + bytes([n, 1, 0, 0x80, 50])
    return dev, cfg + body


class Device:
    """usbdevfs behaviour of one scanner. Handler callbacks run on umockdev's thread; all state is under `lock`."""

    def __init__(self, spec, devnum):
        self.spec = spec
        self.name = spec['name']
        self.devnum = devnum
        self.port = spec.get('port', '1')
        self.syspath = '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-' + self.port
        self.node = '/dev/bus/usb/001/%03d' % devnum
        self.vid, self.pid = int(spec['vid'], 16), int(spec['pid'], 16)
        self.transport = spec.get('transport', 'hidpos')
        self.serial = spec.get('serial')
        self.strings = {1: spec.get('manufacturer', 'Ruyi Test'), 2: spec.get('product', 'Emulated scanner')}
        if self.serial is not None:
            self.strings[3] = self.serial
        self.dev, self.cfg = descriptors(self.vid, self.pid, self.transport, self.serial is not None)
        raw = bytes.fromhex(spec['descriptors']) if 'descriptors' in spec else self.dev + self.cfg
        self.raw_descriptors = raw
        self.lock = threading.Lock()
        self.pending_in = []
        self.completed = {}      # per client (one per open of the node: each process reaps only its own URBs)
        self.queue = []          # reports waiting for an IN URB
        self.delivered = 0
        self.sent = 0
        self.stalls = 0
        self.halted = False
        self.gone = False
        self.log = []
        self.kernel = {0: spec.get('kernelDriver')} if spec.get('kernelDriver') else {}
        self.claimed = set()
        self.claim_busy = bool(spec.get('claimBusy'))
        self.handler = UMockdev.IoctlBase()
        self.handler.connect('handle-ioctl', self.on_ioctl)
        self.gap = 0.0
        self.feeder = None

    def udev_record(self):
        return '\n'.join([
            'P: ' + self.syspath[len('/sys'):],
            'N: bus/usb/001/%03d' % self.devnum,
            'E: BUSNUM=001', 'E: DEVNAME=' + self.node, 'E: DEVNUM=%03d' % self.devnum, 'E: DEVTYPE=usb_device',
            'E: PRODUCT=%x/%x/100' % (self.vid, self.pid), 'E: SUBSYSTEM=usb', 'E: ID_VENDOR_ID=%04x' % self.vid,
            'E: ID_MODEL_ID=%04x' % self.pid,
            'A: bConfigurationValue=1\\n', 'A: busnum=1\\n', 'A: devnum=%d\\n' % self.devnum,
            'A: devpath=' + self.port, 'A: idProduct=%04x' % self.pid, 'A: idVendor=%04x' % self.vid, 'A: speed=12\\n',
            'H: descriptors=' + self.raw_descriptors.hex().upper(), ''])

    # -- test side ---------------------------------------------------------------------------------------------------
    def send(self, reports, gap):
        with self.lock:
            self.sent += len(reports)
            if gap <= 0:
                self.queue.extend(reports)
                self._pump()
                return
        def feed():
            for r in reports:
                with self.lock:
                    if self.gone:
                        return
                    self.queue.append(r)
                    self._pump()
                time.sleep(gap)
        t = threading.Thread(target=feed, daemon=True)
        t.start()

    def unplug(self):
        with self.lock:
            self.gone = True
            for urb in self.pending_in:
                self._finish(urb, -errno.ESHUTDOWN, b'')
            self.pending_in.clear()

    def _pump(self):
        while self.queue and self.pending_in and not self.gone:
            urb = self.pending_in.pop(0)
            if self.stalls > 0:
                self.stalls -= 1
                self.halted = True
                self._finish(urb, -errno.EPIPE, b'')
                continue
            data = self.queue.pop(0)
            self.delivered += 1
            self._finish(urb, 0, data[:urb['blen']])

    def _finish(self, urb, status, data):
        u, bufd = urb['urb'], urb['buf']
        if data:
            bufd.update(urb['data_off'], data)
        u.update(4, struct.pack('<i', status))
        u.update(28, struct.pack('<i', len(data)))
        self.completed.setdefault(urb['client'], []).append(urb)

    # -- emulation ---------------------------------------------------------------------------------------------------
    def _control(self, urb, setup, payload):
        rt, req, value, index, length = struct.unpack('<BBHHH', setup)
        urb['data_off'] = 8
        if rt == 0x80 and req == 6:
            dtype, idx = value >> 8, value & 0xff
            if dtype == 1:
                d = self.dev
            elif dtype == 2:
                d = self.cfg
            elif dtype == 3 and idx == 0:
                d = bytes([4, 3, 0x09, 0x04])
            elif dtype == 3 and idx in self.strings:
                s = self.strings[idx].encode('utf-16-le')
                d = bytes([2 + len(s), 3]) + s
            else:
                self.log.append('GET_DESCRIPTOR %04x stall' % value)
                self._finish(urb, -errno.EPIPE, b'')
                return
            self._finish(urb, 0, d[:length])
            return
        if rt == 0x21 and req == 0x09:
            self.log.append('SET_REPORT %04x %s' % (value, payload[:length].hex()))
        elif rt == 0x21 and req == 0x0A:
            self.log.append('SET_IDLE')
        elif rt == 0x21 and req == 0x0B:
            self.log.append('SET_PROTOCOL %d' % value)
        else:
            self.log.append('CONTROL %02x %02x %04x' % (rt, req, value))
        self._finish(urb, 0, b'')
        if not rt & 0x80:
            urb['urb'].update(28, struct.pack('<i', length))   # host-to-device: all of it was taken

    def on_ioctl(self, handler, client):
        req = client.get_request()
        arg = client.get_arg()
        with self.lock:
            if req not in (SUBMITURB, REAPURB, REAPURBNDELAY, DISCARDURB, USBIOCTL):
                self.log.append(NAMES.get(req, 'IOCTL %x' % req))
            if self.gone and req not in (REAPURB, REAPURBNDELAY, DISCARDURB, RELEASEINTERFACE):
                client.complete(-1, errno.ENODEV)
                return True
            if req == SUBMITURB:
                u = arg.resolve(0, URB_SIZE)
                raw = bytes(u.retrieve())
                typ, ep = raw[0], raw[1]
                blen = struct.unpack_from('<i', raw, 24)[0]
                b = u.resolve(16, blen)
                urb = {'urb': u, 'buf': b, 'addr': u.client_addr, 'ep': ep, 'type': typ, 'data_off': 0, 'blen': blen, 'client': hash(client)}
                if typ == T_CTRL:
                    data = bytes(b.retrieve())
                    self._control(urb, data[:8], data[8:])
                elif ep & 0x80:
                    if self.halted:
                        self._finish(urb, -errno.EPIPE, b'')
                    else:
                        self.pending_in.append(urb)
                        self._pump()
                else:
                    self.log.append('OUT %02x %s' % (ep, bytes(b.retrieve()).hex()))
                    self._finish(urb, 0, b'')
                    u.update(28, struct.pack('<i', blen))
                client.complete(0, 0)
                return True
            if req in (REAPURBNDELAY, REAPURB):
                mine = self.completed.get(hash(client))
                if not mine:
                    client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)
                    return True
                urb = mine.pop(0)
                arg.resolve(0, 8).set_ptr(0, urb['urb'])
                client.complete(0, 0)
                return True
            if req == DISCARDURB:
                addr = struct.unpack('<Q', bytes(arg.retrieve()))[0]
                for urb in self.pending_in:
                    if urb['addr'] == addr and urb['client'] == hash(client):
                        self.pending_in.remove(urb)
                        self._finish(urb, -errno.ENOENT, b'')
                        client.complete(0, 0)
                        return True
                client.complete(-1, errno.EINVAL)
                return True
            if req == GET_CAPABILITIES:
                arg.resolve(0, 4).update(0, struct.pack('<I', 0x0F))
                client.complete(0, 0)
                return True
            if req == GETDRIVER:
                g = arg.resolve(0, 260)
                ifno = struct.unpack_from('<I', bytes(g.retrieve()), 0)[0]
                name = 'usbfs' if ifno in self.claimed else self.kernel.get(ifno)
                if not name:
                    client.complete(-1, errno.ENODATA)
                    return True
                g.update(4, name.encode() + b'\0')
                client.complete(0, 0)
                return True
            if req == USBIOCTL:
                io = arg.resolve(0, 16)
                ifno, code = struct.unpack_from('<ii', bytes(io.retrieve()), 0)
                if code == DISCONNECT:
                    self.log.append('DISCONNECT %d' % ifno)
                    if self.kernel.pop(ifno, None) is None:
                        client.complete(-1, errno.ENODATA)
                        return True
                elif code == CONNECT:
                    self.log.append('CONNECT %d' % ifno)
                    self.kernel[ifno] = 'usbhid'
                else:
                    self.log.append('USBIOCTL %x' % code)
                client.complete(0, 0)
                return True
            if req == CLAIMINTERFACE:
                ifno = struct.unpack('<I', bytes(arg.resolve(0, 4).retrieve()))[0]
                if self.claim_busy or ifno in self.kernel or ifno in self.claimed:   # held by the kernel or another program
                    self.log[-1] = 'CLAIMINTERFACE %d busy' % ifno
                    client.complete(-1, errno.EBUSY)
                    return True
                self.log[-1] = 'CLAIMINTERFACE %d' % ifno
                self.claimed.add(ifno)
                client.complete(0, 0)
                return True
            if req == RELEASEINTERFACE:
                ifno = struct.unpack('<I', bytes(arg.resolve(0, 4).retrieve()))[0]
                self.log[-1] = 'RELEASEINTERFACE %d' % ifno
                self.claimed.discard(ifno)
                client.complete(0, 0)
                return True
            if req == CLEAR_HALT:
                self.halted = False
                client.complete(0, 0)
                return True
            if req in (SETCONFIGURATION, SETINTERFACE, RESET):
                client.complete(0, 0)
                return True
            if req == GET_SPEED:
                client.complete(2, 0)
                return True
            client.complete(-1, errno.ENOTTY)
            return True


class Emulator:
    def __init__(self):
        self.tb = UMockdev.Testbed.new()
        self.tb.add_from_string(ROOT_HUB)
        self.devices = {}
        self.next_devnum = 2
        self.lock = threading.Lock()

    def op(self, m):
        op = m.get('op')
        if op == 'plug':
            with self.lock:
                if m['name'] in self.devices:
                    return {'ok': False, 'error': 'already plugged'}
                d = Device(m, self.next_devnum)
                self.next_devnum += 1
                self.devices[d.name] = d
            self.tb.attach_ioctl(d.node, d.handler)
            self.tb.add_from_string(d.udev_record())   # emits the 'add' uevent libusb's hotplug sees
            return {'ok': True, 'node': d.node, 'syspath': d.syspath}
        d = self.devices.get(m.get('name'))
        if d is None:
            return {'ok': False, 'error': 'no device %r' % m.get('name')}
        if op == 'unplug':
            d.unplug()
            self.tb.uevent(d.syspath, 'remove')       # remove_device() alone sends no uevent
            self.tb.remove_device(d.syspath)
            with self.lock:
                del self.devices[d.name]
            return {'ok': True, 'log': d.log}
        if op == 'send':
            d.send([bytes.fromhex(r) for r in m['reports']], m.get('gapMS', 0) / 1000.0)
            return {'ok': True}
        if op == 'stall':
            with d.lock:
                d.stalls += int(m.get('count', 1))
            return {'ok': True}
        if op == 'log':
            with d.lock:
                return {'ok': True, 'log': list(d.log)}
        if op in ('state', 'wait'):
            end = time.time() + m.get('timeoutMS', 0) / 1000.0
            while True:
                with d.lock:
                    state = {'ok': True, 'pendingIn': len(d.pending_in), 'queued': len(d.queue), 'sent': d.sent,
                             'delivered': d.delivered, 'claimed': sorted(d.claimed), 'kernel': sorted(d.kernel)}
                if op == 'state' or (state['delivered'] >= state['sent'] and state['queued'] == 0) or time.time() > end:
                    state['done'] = state['delivered'] >= state['sent']
                    return state
                time.sleep(0.005)
        return {'ok': False, 'error': 'unknown op %r' % op}


def serve(emulator, server):
    while True:
        conn, _ = server.accept()
        threading.Thread(target=client, args=(emulator, conn), daemon=True).start()


def client(emulator, conn):
    f = conn.makefile('rwb')
    for line in f:
        try:
            reply = emulator.op(json.loads(line))
        except Exception as e:   # a bad request is the test's bug: say so, keep serving
            reply = {'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        f.write((json.dumps(reply) + '\n').encode())
        f.flush()


def main():
    cmd = sys.argv[sys.argv.index('--') + 1:]
    emulator = Emulator()
    sock_dir = tempfile.mkdtemp(prefix='ruyi-usb-')
    path = os.path.join(sock_dir, 'emulator.sock')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    threading.Thread(target=serve, args=(emulator, server), daemon=True).start()
    # Testbed.new() set UMOCKDEV_DIR with C setenv, which os.environ does not see: pass it on explicitly.
    env = dict(os.environ, RUYI_USB_EMULATOR=path, UMOCKDEV_DIR=emulator.tb.get_root_dir())
    proc = subprocess.Popen(cmd, env=env)
    try:
        rc = proc.wait(timeout=int(os.environ.get('RUYI_USB_EMULATOR_TIMEOUT', '600')))
    except subprocess.TimeoutExpired:
        proc.kill()
        print('emulator: %s timed out' % cmd, file=sys.stderr)
        rc = 124
    sys.exit(rc)


if __name__ == '__main__':
    main()
