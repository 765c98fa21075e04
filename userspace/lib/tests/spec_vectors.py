#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
"""Second, independent implementation of Documentation/protocol.rst.

Written from the spec alone (Python's hashlib/hmac and the 'cryptography'
package, none of libsdrp), it recomputes every value in vectors.txt: the
key schedule, transcript hash, handshake signatures, record layout, MAC,
GCM and the sequence/counter rules over the recorded session.  A
disagreement means libsdrp or the spec is wrong.  Prints TAP.
"""
import hashlib, hmac, struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives import hashes

vecs=[]; cur=None
for line in open(sys.argv[1]):
    line=line.rstrip('\n')
    if line.startswith('#'): continue
    if not line:
        if cur: vecs.append(cur); cur=None
        continue
    k,_,v=line.partition(' ='); v=v.strip()
    if cur is None: cur={}
    cur[k]=v
if cur: vecs.append(cur)
H=bytes.fromhex
def hk_extract(salt,ikm): return hmac.new(salt,ikm,hashlib.sha512).digest()
def hk_expand(prk,info,L):
    out=b''; t=b''; i=1
    while len(out)<L:
        t=hmac.new(prk,t+info+bytes([i]),hashlib.sha512).digest(); out+=t; i+=1
    return out[:L]
ok=fail=0
def check(name,cond):
    global ok,fail
    if cond: ok+=1
    else: fail+=1
    print('%s %d - spec: %s' % ('ok' if cond else 'not ok', ok+fail, name))
TYPES={1:(1,0,1),2:(1,0,1),3:(1,1,0),4:(1,0,1),5:(1,0,1),6:(1,1,0),7:(1,0,0),8:(1,0,0),9:(1,0,0),10:(0,0,0)}
for v in vecs:
    kind=v['vector']
    if kind=='s0-keys':
        prk=hk_extract(b'sdrp1 s0',H(v['s0']))
        check('s0 c2s', hk_expand(prk,b'sdrp1 c2s hello mac',64)==H(v['c2s_hello_mac']))
        check('s0 s2c', hk_expand(prk,b'sdrp1 s2c hello mac',64)==H(v['s2c_hello_mac']))
        check('ck0', hk_expand(prk,b'sdrp1 chain',64)==H(v['ck0']))
    if kind in('handshake','rekey'):
        hello=H(v['hello']); ack=H(v['hello_ack'])
        th=hashlib.sha512(hello+ack).digest()
        check(kind+' th', th==H(v['th']))
        csk=X25519PrivateKey.from_private_bytes(H(v['client_x25519_sk']))
        spk=X25519PublicKey.from_public_bytes(H(v['server_x25519_pk']))
        dh=csk.exchange(spk)
        check(kind+' dh', dh==H(v['dh']))
        ck=H(v['ck0'] if kind=='handshake' else v['ck1'])
        prk=hk_extract(ck,dh)
        for d in ('c2s','s2c'):
            check(kind+d+'key', hk_expand(prk,(f'sdrp1 {d} key').encode()+th,32)==H(v[d+'_key']))
            check(kind+d+'iv', hk_expand(prk,(f'sdrp1 {d} iv').encode()+th,12)==H(v[d+'_iv']))
            check(kind+d+'mac', hk_expand(prk,(f'sdrp1 {d} mac').encode()+th,64)==H(v[d+'_mac']))
        nck=H(v['ck1'] if kind=='handshake' else v['ck2'])
        check(kind+' ck next', hk_expand(prk,b'sdrp1 chain'+th,64)==nck)
        # data layout of rekey hello: exactly the pub
        if kind=='handshake':
            # HELLO data layout and signature check
            rec=hello; hdr=rec[:12]; inner=rec[12:-64]
            check('hello clear flag', hdr[2]==1 and hdr[1]==1)
            check('hello len', struct.unpack('>I',hdr[8:12])[0]==len(rec)-12)
            seq=struct.unpack('>Q',inner[:8])[0]
            check('hello seq', seq==int(v['initial_seq']))
            data=inner[16:]
            check('hello pub', data[:32]==H(v['client_x25519_pk']))
            check('hello interval', struct.unpack('>I',data[32:36])[0]==int(v['client_interval']))
            cl=struct.unpack('>H',data[36:38])[0]; cert=data[38:38+cl]
            certs={x['name']:x for x in vecs if x['vector']=='certificate'}; check('hello cert', cert==H(certs[v['client_cert']]['cert']))
            sl=struct.unpack('>H',data[38+cl:40+cl])[0]; sig=data[40+cl:]
            check('hello sig len', len(sig)==sl)
            # parse cert n,e
            p=32; sl_=cert[p]; p+=1+sl_; il=cert[p]; p+=1+il
            nl=struct.unpack('>H',cert[p:p+2])[0]; n=int.from_bytes(cert[p+2:p+2+nl],'big'); p+=2+nl
            el=struct.unpack('>H',cert[p:p+2])[0]; e=int.from_bytes(cert[p+2:p+2+el],'big')
            pub=rsa.RSAPublicNumbers(e,n).public_key()
            M=b'sdrp1 hello'+hdr+inner[:16+40+cl]
            try:
                pub.verify(sig,M,padding.PSS(mgf=padding.MGF1(hashes.SHA512()),salt_length=64),hashes.SHA512()); good=True
            except Exception as ex: good=False
            check('hello signature', good)
            # hello mac
            prk0=hk_extract(b'sdrp1 s0',H(v['s0']))
            mk=hk_expand(prk0,b'sdrp1 c2s hello mac',64)
            check('hello hmac', hmac.new(mk,struct.pack('>Q',0)+rec[:-64],hashlib.sha512).digest()==rec[-64:])
            # hello ack signature
            rec=ack; hdr=rec[:12]; inner=rec[12:-64]; data=inner[16:]
            cl=struct.unpack('>H',data[36:38])[0]; cert=data[38:38+cl]; sig=data[40+cl:]
            p=32; sl_=cert[p]; p+=1+sl_; il=cert[p]; p+=1+il
            nl=struct.unpack('>H',cert[p:p+2])[0]; n=int.from_bytes(cert[p+2:p+2+nl],'big'); p+=2+nl
            el=struct.unpack('>H',cert[p:p+2])[0]; e=int.from_bytes(cert[p+2:p+2+el],'big')
            pub=rsa.RSAPublicNumbers(e,n).public_key()
            M=b'sdrp1 hello ack'+hashlib.sha512(hello).digest()+hdr+inner[:16+40+cl]
            try:
                pub.verify(sig,M,padding.PSS(mgf=padding.MGF1(hashes.SHA512()),salt_length=64),hashes.SHA512()); good=True
            except Exception: good=False
            check('hello ack signature', good)
            check('hello ack seq', struct.unpack('>Q',inner[:8])[0]==int(v['initial_seq']))
    if kind=='certificate':
        cert=H(v['cert']); sl=int(v['signed_len'])
        check('cert magic', cert[:6]==b'SDRC\x01\x01')
        sig=cert[sl:]
        check('cert sig len', struct.unpack('>H',cert[sl-2:sl])[0]==len(sig))
    if kind=='record':
        rec=H(v['record']); hdr=rec[:12]; typ=int(v['type']); clear=int(v['clear'])
        ctr=int(v['counter'])
        check(v['name']+' hdr', hdr[0]==1 and hdr[1]==typ and hdr[2]==clear and hdr[3]==0 and struct.unpack('>I',hdr[4:8])[0]==int(v['epoch']) and struct.unpack('>I',hdr[8:12])[0]==len(rec)-12)
        ttl,nonce,data=TYPES[typ]
        inner=struct.pack('>Q',int(v['seq']))+(struct.pack('>Q',int(v['ttl'])) if ttl else b'')+(struct.pack('>Q',int(v['nonce'])) if nonce else b'')+(H(v['data']) if data else b'')
        check(v['name']+' inner', inner==H(v['inner']))
        mk=H(v['mac_key'])
        check(v['name']+' hmac', hmac.new(mk,struct.pack('>Q',ctr)+rec[:-64],hashlib.sha512).digest()==rec[-64:])
        if clear:
            check(v['name']+' clear body', rec[12:-64]==inner)
        else:
            iv=H(v['iv']); nn=iv[:4]+bytes(a^b for a,b in zip(iv[4:],struct.pack('>Q',ctr)))
            pt=AESGCM(H(v['enc_key'])).decrypt(nn,rec[12:-64],hdr)
            check(v['name']+' gcm', pt==inner)
        # size table
        sizes={1:None,2:None,3:116,6:116,7:108,8:108 if not clear else 92,9:108 if not clear else 92,10:100 if not clear else 84}
        if sizes.get(typ): check(v['name']+' size', len(rec)==sizes[typ])
        if typ in(4,5): check(v['name']+' size', len(rec)==108+len(H(v['data'])))
        if typ in(1,2) and not clear: check(v['name']+' rekey size', len(rec)==140)
# Session replay: seq and counter rules of protocol.rst
recs=[v for v in vecs if v['vector']=='record']
n=int(recs[0]['seq'])
seq={'c2s':n,'s2c':n}
ctr={}
M=2**64
for v in recs:
    d=v['dir']; typ=int(v['type']); key=(d,v['clear'],v['epoch'])
    exp_ctr=ctr.get(key,0)
    name=v['name']
    if name=='e0-data-request-resent':
        check(name+' resent seq', int(v['seq'])==resent_seq)
    elif name.startswith('clear-') :
        pass
    else:
        check(name+' seq %s expected %s'%(v['seq'],seq[d]), int(v['seq'])==seq[d])
    check(name+' ctr', int(v['counter'])==exp_ctr)
    ctr[key]=exp_ctr+1
    if name.startswith('clear-'):
        continue
    if name=='e0-data-request-empty': resent_seq=int(v['seq'])
    if name=='e0-data-request-resent': continue
    if name=='initial-hello-ack': seq['s2c']=(n+1)%M; continue
    if name=='initial-hello': seq['c2s']=(n+1)%M; continue
    seq[d]=(int(v['seq'])+(int(v['nonce']) if typ in(3,6) else 1))%M
print('1..%d' % (ok+fail))
sys.exit(1 if fail or ok < 150 else 0)
