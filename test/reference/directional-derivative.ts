// Gradient checks of one tensor along one direction: the analytic directional derivative (grad . dir) beside
// central differences of the loss in fp32 with Richardson extrapolation over h and h/2 (cancels the h^2
// truncation term); rounding ~1e-7*loss/h remains, so 1% agreement catches a wrong or missing term.

export interface ParamAccess {
  getGrad(name: string): Float32Array;
  getParam(name: string): Float32Array;
  setParam(name: string, value: Float32Array): void;
}

/** `loss` is evaluated at the perturbed tensor; the tensor is restored before this returns. */
export function directionalDerivative(m: ParamAccess, name: string, dir: Float32Array, loss: () => number): { analytic: number; fd: number } {
  const g = m.getGrad(name), p0 = m.getParam(name);
  let analytic = 0, dn = 0;
  for (let i = 0; i < g.length; i++) (analytic += g[i]! * dir[i]!), (dn += dir[i]! ** 2);
  const at = (h: number) => {
    m.setParam(name, p0.map((x, i) => x + h * dir[i]!));
    return loss();
  };
  const central = (h: number) => (at(h) - at(-h)) / (2 * h);
  const h = 2e-3 / Math.sqrt(dn / p0.length);
  const fd = (4 * central(h / 2) - central(h)) / 3;
  m.setParam(name, p0);
  return { analytic, fd };
}
