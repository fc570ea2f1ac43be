# Independent derivation of the documented pass (docs/documented-pass.md) in float64 with numpy:
# every intermediate, every gradient (checked here by central differences) and every
# updated parameter. The values pinned in network/src/test/.../DocumentedPassTest.java come
# from this script, not from the Java code under test. Run: python3 docs/derive_documented_pass.py
import numpy as np
np.set_printoptions(precision=10, suppress=True)
X=np.array([[0,3,-1,0],[0,0,0,0],[0,0,3,0],[3,0,3,1]],float)
P=dict(F=np.array([[1,0],[-1,0]],float), bC=np.array(1.0), WQ=np.array([[1,-2],[0,2]],float),
       WK=np.array([[1,-1],[3,0]],float), WV=np.array([[3,1],[-1,1]],float), WD=np.array([1,1,0,2],float), bD=np.array(-1.0))
y=1.0; lr=0.1
def fwd(P, keep=False):
    F=P['F']; CN=np.zeros((2,2))
    for i in range(2):
        for j in range(2):
            CN[i,j]=(X[2*i:2*i+2,2*j:2*j+2]*F).sum()+P['bC']
    Q=CN@P['WQ'];K=CN@P['WK'];V=CN@P['WV']
    S=Q@K.T/np.sqrt(2)
    A=np.exp(S-S.max(1,keepdims=True));A/=A.sum(1,keepdims=True)
    SA=A@V; s=SA.reshape(-1); z=P['WD']@s+P['bD']; yhat=max(z,0.0); C=(y-yhat)**2
    return dict(CN=CN,Q=Q,K=K,V=V,S=S,A=A,SA=SA,z=z,yhat=yhat,C=C)
f=fwd(P)
for k,v in f.items(): print(k, repr(v))
# analytic backward
dyhat=2*(f['yhat']-y); dz=dyhat*(f['z']>0)
g={}
g['WD']=dz*f['SA'].reshape(-1); g['bD']=dz
dSA=(dz*P['WD']).reshape(2,2)
A=f['A'];V=f['V'];Q=f['Q'];K=f['K'];CN=f['CN']
dV=A.T@dSA; dA=dSA@V.T; dS=A*(dA-(dA*A).sum(1,keepdims=True))
dQ=dS@K/np.sqrt(2); dK=dS.T@Q/np.sqrt(2)
g['WQ']=CN.T@dQ; g['WK']=CN.T@dK; g['WV']=CN.T@dV
dCN=dQ@P['WQ'].T+dK@P['WK'].T+dV@P['WV'].T
dF=np.zeros((2,2))
for i in range(2):
    for j in range(2):
        dF+=dCN[i,j]*X[2*i:2*i+2,2*j:2*j+2]
g['F']=dF; g['bC']=dCN.sum()
for k,v in dict(dyhat=dyhat,dSA=dSA,dV=dV,dA=dA,dS=dS,dQ=dQ,dK=dK,dCN=dCN).items(): print('grad',k,repr(v))
for k in ['F','bC','WQ','WK','WV','WD','bD']: print('grad',k,repr(g[k]))
# finite differences
eps=1e-6; worst=0
for k in P:
    a=np.atleast_1d(P[k]).astype(float); num=np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        Pp={kk:np.array(vv,float) for kk,vv in P.items()}; Pm={kk:np.array(vv,float) for kk,vv in P.items()}
        ap=np.atleast_1d(Pp[k]); am=np.atleast_1d(Pm[k])
        ap[idx]+=eps; am[idx]-=eps
        Pp[k]=ap.reshape(np.shape(P[k])); Pm[k]=am.reshape(np.shape(P[k]))
        num[idx]=(fwd(Pp)['C']-fwd(Pm)['C'])/(2*eps)
    worst=max(worst,np.abs(num-np.atleast_1d(g[k])).max())
print('max |analytic - FD| over all parameters:', worst)
for k in ['F','bC','WQ','WK','WV','WD','bD']: print('updated',k,repr(P[k]-lr*g[k]))
P2={k:P[k]-lr*g[k] for k in P}
print('cost after one step', fwd(P2)['C'])
