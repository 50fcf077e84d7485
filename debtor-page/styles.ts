/** The page's whole stylesheet, inlined (one request): mobile first, large targets, visible focus, AA contrast. */
export const styles = `
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1b1b;background:#f6f7f9}
a{color:#0b4f8a}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #b35c00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.5rem}
header{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1rem;background:#0b3a63;color:#fff}
header a{color:#fff}
header p{margin:0;font-weight:600}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:0 0 .5rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
section.card{background:#fff;border:1px solid #d0d5dc;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:1fr auto;gap:.25rem 1rem;margin:0}
dt{color:#3d4551}dt.part{padding-left:1rem}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.balance{font-size:1.5rem;font-weight:700}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.hint{display:block;font-weight:400;color:#3d4551;font-size:.9rem}
input,select,textarea{display:block;width:100%;font:inherit;padding:.6rem;border:1px solid #5c6570;border-radius:.25rem;background:#fff;color:#1b1b1b}
input[type=radio],input[type=checkbox]{display:inline-block;width:1.25rem;height:1.25rem;margin:0 .5rem 0 0;vertical-align:middle}
.choice{display:flex;align-items:center;font-weight:400;margin:.5rem 0;min-height:2.75rem}
fieldset{border:0;padding:0;margin:0}
legend{font-weight:600;padding:0}
button{display:block;width:100%;margin:1rem 0 0;padding:.75rem 1rem;font:inherit;font-weight:600;color:#fff;background:#0b4f8a;border:0;border-radius:.25rem;min-height:2.75rem;cursor:pointer}
button.secondary{background:#fff;color:#0b4f8a;border:2px solid #0b4f8a}
details{margin:.75rem 0;border-top:1px solid #d0d5dc;padding-top:.5rem}
summary{cursor:pointer;font-weight:600;min-height:2.75rem;display:flex;align-items:center}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.35rem .25rem;border-bottom:1px solid #d0d5dc}
td.num,th.num{text-align:right}
.notice{padding:.75rem 1rem;border-radius:.25rem;margin:0 0 1rem;border-left:6px solid}
.notice.ok{background:#e7f4ea;border-color:#1e7b34}
.notice.error{background:#fbeaea;border-color:#b50909}
footer{max-width:44rem;margin:0 auto;padding:1rem;font-size:.875rem;color:#3d4551}
#card{padding:.75rem;border:1px solid #5c6570;border-radius:.25rem;background:#fff;min-height:2.75rem}
@media (min-width:48rem){main{padding:2rem 1rem}.actions{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}}
`;
