// GLSL 3 ray-marching shaders over a Data3DTexture. The proxy box spans [-0.5, 0.5]^3 in object space;
// the mesh is scaled to the physical extent, so voxel-size-correct aspect comes from the model matrix.

export const vertexShader = /* glsl */ `
out vec3 vOrigin;
out vec3 vDirection;
uniform vec3 cameraPos;
void main() {
  vOrigin = cameraPos;
  vDirection = position - vOrigin;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

const common = /* glsl */ `
precision highp float;
precision highp sampler3D;
in vec3 vOrigin;
in vec3 vDirection;
out vec4 outColor;
uniform sampler3D volume;
uniform sampler2D lut;
uniform vec3 clipMin;
uniform vec3 clipMax;
uniform float low;
uniform float high;
uniform float gamma;
uniform float steps;

vec2 hitBox(vec3 orig, vec3 dir) {
  vec3 bmin = clipMin - 0.5;
  vec3 bmax = clipMax - 0.5;
  vec3 inv = 1.0 / dir;
  vec3 t0 = (bmin - orig) * inv;
  vec3 t1 = (bmax - orig) * inv;
  vec3 tmin = min(t0, t1);
  vec3 tmax = max(t0, t1);
  return vec2(max(max(tmin.x, tmin.y), tmin.z), min(min(tmax.x, tmax.y), tmax.z));
}
float sampleAt(vec3 p) { return texture(volume, p + 0.5).r; }
float windowed(float v) { return pow(clamp((v - low) / max(high - low, 1e-6), 0.0, 1.0), 1.0 / gamma); }
`;

export const mipFragment = /* glsl */ `${common}
void main() {
  vec3 dir = normalize(vDirection);
  vec2 b = hitBox(vOrigin, dir);
  if (b.x > b.y) discard;
  b.x = max(b.x, 0.0);
  float dt = 1.7320508 / steps;
  float best = 0.0;
  for (float t = b.x; t < b.y; t += dt) {
    best = max(best, sampleAt(vOrigin + t * dir));
  }
  float v = windowed(best);
  outColor = vec4(texture(lut, vec2(v, 0.5)).rgb, 1.0);
}
`;

export const isoFragment = /* glsl */ `${common}
uniform float isoValue;
vec3 normalAt(vec3 p) {
  float e = 1.0 / 128.0;
  return normalize(vec3(
    sampleAt(p - vec3(e, 0, 0)) - sampleAt(p + vec3(e, 0, 0)),
    sampleAt(p - vec3(0, e, 0)) - sampleAt(p + vec3(0, e, 0)),
    sampleAt(p - vec3(0, 0, e)) - sampleAt(p + vec3(0, 0, e))));
}
void main() {
  vec3 dir = normalize(vDirection);
  vec2 b = hitBox(vOrigin, dir);
  if (b.x > b.y) discard;
  b.x = max(b.x, 0.0);
  float dt = 1.7320508 / steps;
  float iso = low + isoValue * (high - low);
  for (float t = b.x; t < b.y; t += dt) {
    vec3 p = vOrigin + t * dir;
    if (sampleAt(p) > iso) {
      // One bisection step back toward the crossing for a smoother surface.
      vec3 q = p - 0.5 * dt * dir;
      if (sampleAt(q) > iso) p = q;
      vec3 n = normalAt(p);
      float diffuse = abs(dot(n, -dir));
      vec3 base = texture(lut, vec2(0.85, 0.5)).rgb;
      outColor = vec4(base * (0.25 + 0.75 * diffuse) + pow(diffuse, 24.0) * 0.25, 1.0);
      return;
    }
  }
  discard;
}
`;
