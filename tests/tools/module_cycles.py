import os,re,sys
root=sys.argv[1]; crate_src=os.path.join(root,'src')
mods={}
for dp,_,fs in os.walk(crate_src):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,crate_src)[:-3].split(os.sep)
        if rel[-1] in ('mod','lib','main'): rel=rel[:-1]
        mods[tuple(rel)]=p
def resolve(path):
    # longest prefix that is a module
    for n in range(len(path),-1,-1):
        if tuple(path[:n]) in mods: return tuple(path[:n])
    return None
edges={m:set() for m in mods}
for m,p in mods.items():
    src=open(p).read()
    src=re.sub(r'#\[cfg\(test\)\]\s*mod tests\s*\{.*',' ',src,flags=re.S)
    for u in re.finditer(r'\b(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);',src):
        body=u.group(1).replace('\n',' ')
        def expand(prefix,b):
            b=b.strip()
            mm=re.match(r'^([\w:]*?)::\{(.*)\}$',b,re.S)
            if mm:
                pre=mm.group(1); inner=mm.group(2)
                depth=0;cur='';parts=[]
                for ch in inner:
                    if ch=='{':depth+=1
                    if ch=='}':depth-=1
                    if ch==',' and depth==0: parts.append(cur);cur=''
                    else: cur+=ch
                parts.append(cur)
                out=[]
                for q in parts:
                    if q.strip(): out+=expand(prefix+pre.split('::') if pre else prefix,q)
                return out
            return [prefix+[x for x in b.split(' as ')[0].strip().split('::') if x]]
        for path in expand([],body):
            if not path: continue
            if path[0]=='crate': t=list(path[1:])
            elif path[0]=='super':
                base=list(m); 
                if not p.endswith(('mod.rs','lib.rs','main.rs')): base=base[:-1]
                i=0
                while i<len(path) and path[i]=='super':
                    if i>0: base=base[:-1]
                    i+=1
                t=base+list(path[i:])
            elif path[0]=='self':
                base=list(m) if p.endswith(('mod.rs','lib.rs','main.rs')) else list(m)
                t=(list(m) if p.endswith(('mod.rs','lib.rs')) else list(m))+list(path[1:])
            else: continue
            r=resolve(t)
            if r is not None and r!=m and not (len(r)>len(m) and r[:len(m)]==m and p.endswith(('mod.rs','lib.rs')) and False):
                edges[m].add(r)
    for u in re.finditer(r'\bcrate::((?:\w+::)+)\w+',src):
        r=resolve(u.group(1).strip(':').split('::'))
        if r is not None and r!=m: edges[m].add(r)
# Tarjan
idx={};low={};st=[];on=set();res=[];c=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: res.append(comp)
for v in edges:
    if v not in idx: sc(v)
for comp in res: print('cycle:',sorted('::'.join(x) or 'crate' for x in comp))
print(len(res),'cycles in',root)
