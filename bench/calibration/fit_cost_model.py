#!/usr/bin/env python3
"""Fits the six constants of tconv's `auto` cost model (src/cost_model.h).

    python3 bench/calibration/fit_cost_model.py bench/calibration/layers.json bench/calibration/measured_1t.txt

Reads the layers and a `tconv bench` table with a phase and a gemm_col2im row
per layer, fits by least squares on log time (a seeded random search in log
space, no dependencies), prints the constants to paste into
src/cost_model.cc and, per layer, predicted vs measured GFLOP/s and the pick.
The features below must match src/cost_model.cc and ProfilePhaseFast in
src/algo/phase_fast/prepare.cc; tests/cost_model_test.cc re-checks the C++
model against the same measurements. fit_isa_rates.py imports feats and tp.
"""
import json, math, random, sys
def read_measured(path):
    meas = {}
    for line in open(path):
        f = line.split()
        if len(f) < 4 or f[0] == 'layer': continue
        meas.setdefault(f[0], {})[f[1]] = float(f[3])
    return meas
def cdiv(a,b): return -(-a//b)
def gcd(a,b):
    while b: a,b=b,a%b
    return a
def feats(l):
    nd=len(l['in']); pad=lambda v:[1]*(3-nd)+v
    i=pad(l['in']);k=pad(l['kernel']);s=pad(l['stride']);d=pad(l['dilation']);p=pad(l['pad']);a=pad(l['output_padding'])
    if nd<3:
        for ax in range(3-nd): p[ax]=0;a[ax]=0
    o=[(i[x]-1)*s[x]-2*p[x]+d[x]*(k[x]-1)+a[x]+1 for x in range(3)]
    n,cin,cout,g=l['n'],l['cin'],l['cout'],l['groups']
    cig,cog=cin//g,cout//g
    ksp=k[0]*k[1]*k[2]; isp=i[0]*i[1]*i[2]; osp=o[0]*o[1]*o[2]
    U=n*cin*cog*ksp*isp
    # phase fast macs and taps
    M=n*g*cig*cog; taps_total=1; u=[]; wpad=[]
    for x in range(3):
        gg=gcd(s[x],d[x]); ks=s[x]//gg
        tot=0; lo=0; hi=i[x]-1; ux=cdiv(o[x],s[x])
        for t in range(s[x]):
            r=None
            for kk in range(k[x]):
                if (kk*d[x]-(t+p[x]))%s[x]==0: r=kk;break
            taps=cdiv(k[x]-r,ks) if r is not None else 0
            if taps:
                c=(t+p[x]-r*d[x])//s[x]; lo=min(lo,c-(taps-1)*(d[x]//gg)); hi=max(hi,ux-1+c)
            valid=cdiv(o[x]-t,s[x]) if o[x]>t else 0
            tot+=taps*valid
        M*=tot; u.append(ux); wpad.append(hi-lo+1)
    eff_pix=u[1]*u[2]/(cdiv(u[1]*wpad[2],16)*16)
    eff_ch=cog/(cdiv(cog,32)*32)*u[2]/(cdiv(u[2],4)*4)
    chan = eff_pix < 0.85 and eff_ch > eff_pix
    e = eff_ch if chan else eff_pix
    useful = n*g*cig*cog
    for x in range(3):
        c=0
        for kk in range(k[x]):
            lo_=max(0,cdiv(p[x]-kk*d[x],s[x])); hi_=min(i[x],cdiv(o[x]+p[x]-kk*d[x],s[x]))
            c+=max(0,hi_-lo_)
        useful*=c
    if chan and n>=4: M=useful
    red=cig*ksp/(s[0]*s[1]*s[2])  # macs per output element
    byt=4*(n*cin*isp+n*cout*osp)
    col=0 if (ksp==1 and s==[1,1,1] and p==[0,0,0] and a==[0,0,0]) else 4*n*cout*ksp*isp
    return dict(U=U,M=M,e=e,red=max(red,1e-9),byt=byt,col=col,gm=cog*ksp,gn=isp,gk=cig,flops=2*U)
def tp(f,P): Rp,hp,BW,Rg,hg,t0=P; return f['M']/(Rp*f['e']*f['red']/(f['red']+hp)) + f['byt']/BW + t0
def tg(f,P):
    Rp,hp,BW,Rg,hg,t0=P; sat=lambda x:x/(x+hg)
    return f['U']/(Rg*sat(f['gm'])*sat(f['gn'])*sat(f['gk'])) + (2*f['col']+f['byt'])/BW + t0
def main():
    L = json.load(open(sys.argv[1]))['layers']
    meas = read_measured(sys.argv[2])
    F={l['name']:feats(l) for l in L if l['name'] in meas}
    def loss(P):
        s=0
        for nm,f in F.items():
            for algo,fn in (('phase',tp),('gemm_col2im',tg)):
                if algo in meas[nm]:
                    tm=f['flops']/(meas[nm][algo]*1e9)
                    s+=math.log(fn(f,P)/tm)**2
        return s
    P=[50e9,2.0,30e9,50e9,4.0,20e-6]
    best=loss(P)
    random.seed(1)
    for it in range(20000):
        Q=[x*math.exp(random.gauss(0,0.3 if it<10000 else 0.05)) for x in P]
        lq=loss(Q)
        if lq<best: best,P=lq,Q
    print("params Rp=%.3g hp=%.3g BW=%.3g Rg=%.3g hg=%.3g t0=%.3g loss=%.3f"%(*P,best))
    ok=0; worst=1
    for nm,f in F.items():
        m=meas[nm]; a=tp(f,P); b=tg(f,P)
        pick='phase' if a<=b else 'gemm_col2im'
        bestm=max(m.values()); got=m[pick]; ok+= got==bestm; worst=min(worst,got/bestm)
        print(f"{nm:14s} pred_p {f['flops']/a/1e9:6.1f} meas_p {m['phase']:6.1f}  pred_g {f['flops']/b/1e9:6.1f} meas_g {m['gemm_col2im']:6.1f}  pick {pick}")
    print("correct",ok,"of",len(F),"worst pick %.2f of best"%worst)

if __name__ == "__main__":
    main()
