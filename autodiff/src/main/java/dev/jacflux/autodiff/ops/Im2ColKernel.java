package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * {@code im2col} and {@code col2im} as plain loops over dense memory ({@link NativeMemory}), in
 * PyTorch's {@code unfold} layout: image {@code [N, C, H, W]}, columns {@code [N, C*kh*kw, oh*ow]}
 * with row {@code (c*kh + i)*kw + j} and column {@code p*ow + q} holding
 * {@code x[n, c, p*sh - ph + i*dh, q*sw - pw + j*dw]} (the pad value outside the image).
 *
 * <p>Measured on this machine (one thread, float32, into memory already touched): LeNet's
 * {@code [128, 1, 28, 28]} with a 5x5 kernel 0.9 ms against 6.9 ms for libnd4j's {@code im2col};
 * {@code [128, 16, 16, 16]} with 3x3 and padding 1 7.0 against 15.0 ms. Callers use
 * {@link #supports} and fall back to the native ops otherwise.
 *
 * <pre>{@code
 * if (Im2ColKernel.supports(x, cols)) {
 *     Im2ColKernel.im2col(x, 5, 5, Conv2dSpec.DEFAULT, 0.0, cols);   // cols [N, C*25, oh*ow]
 * }
 * }</pre>
 */
final class Im2ColKernel {
    /**
     * Float32 unfoldings of at most this many elements (per plane group, the larger of image and
     * columns) go through heap arrays ({@link Geometry}); larger ones work on native memory directly.
     */
    static final long STAGED_MAX = 1L << 20;

    private Im2ColKernel() {
    }

    /** Whether both arrays can be handled here (dense, same dtype, FLOAT or DOUBLE). */
    static boolean supports(INDArray a, INDArray b) {
        return NativeMemory.AVAILABLE && a.dataType() == b.dataType() && NativeMemory.isDense(a) && NativeMemory.isDense(b);
    }

    /** Smallest {@code q >= 0} with {@code q*s + off >= 0}, and the first {@code q} with {@code q*s + off >= limit}, clamped to {@code [0, n]}. */
    private static int[] validRange(long off, long limit, int s, long n) {
        long lo = Math.max(0, -Math.floorDiv(off, s));
        long hi = Math.min(n, Math.max(lo, -Math.floorDiv(off - limit, s)));
        return new int[] {(int) Math.min(lo, n), (int) hi};
    }

    /**
     * The geometry of one unfolding: image {@code h x w}, kernel {@code kh x kw}, output
     * {@code oh x ow}, and per kernel column the output columns whose input column lies inside the
     * image. Works on raw addresses of dense planes, so that callers can unfold or fold one sample
     * at a time into a small scratch block that stays in cache.
     */
    static final class Geometry {
        final int h;
        final int w;
        final int kh;
        final int kw;
        final int oh;
        final int ow;
        final Conv2dSpec s;
        final boolean isFloat;
        final int width;
        private final int[] q0;
        private final int[] q1;
        /** Per kernel row {@code i}, the output rows {@code [p0[i], p1[i])} whose input row lies inside the image. */
        private final int[] p0;
        private final int[] p1;
        /**
         * Zero or the margin, in elements, around one plane in the heap copy of it: when the
         * convolution has unit strides and dilations and keeps the width ({@code ow == w}, e.g. 3x3
         * with padding 1), row {@code r} of a column block {@code (i, j)} is the image row
         * {@code r + i - ph} shifted by {@code j - pw}, so the whole block is one contiguous run
         * of a plane extended by this margin on both sides ({@link #im2colAligned},
         * {@link #col2imAligned}); 0 when that does not hold (float32 only).
         */
        private final int margin;
        private float[] image;
        private float[] columns;

        Geometry(long h, long w, long kh, long kw, Conv2dSpec s, DataType dtype) {
            this.h = (int) h;
            this.w = (int) w;
            this.kh = (int) kh;
            this.kw = (int) kw;
            long[] o = s.outputSize("im2col", h, w, kh, kw);
            this.oh = (int) o[0];
            this.ow = (int) o[1];
            this.s = s;
            this.isFloat = dtype == DataType.FLOAT;
            this.width = isFloat ? 4 : 8;
            this.q0 = new int[this.kw];
            this.q1 = new int[this.kw];
            for (int j = 0; j < kw; j++) {
                int[] q = validRange((long) j * s.dw() - s.pw(), w, s.sw(), ow);
                q0[j] = q[0];
                q1[j] = Math.max(q[1], q[0]);
            }
            this.p0 = new int[this.kh];
            this.p1 = new int[this.kh];
            for (int i = 0; i < kh; i++) {
                int[] p = validRange((long) i * s.dh() - s.ph(), h, s.sh(), oh);
                p0[i] = p[0];
                p1[i] = Math.max(p[1], p[0]);
            }
            long m = (long) s.ph() * w + s.pw() + kw;
            boolean aligned = isFloat && s.sh() == 1 && s.sw() == 1 && s.dh() == 1 && s.dw() == 1 && this.ow == this.w
                    && Math.max(h * w + 2 * m, (long) kh * kw * this.oh * this.ow) <= STAGED_MAX;
            this.margin = aligned ? (int) m : 0;
        }

        /** Whether the column blocks are contiguous runs of the extended plane (see {@link #margin}). */
        boolean aligned() {
            return margin > 0;
        }

        /** Elements of one plane's columns, {@code kh * kw * oh * ow}. */
        long columnsPerPlane() {
            return (long) kh * kw * oh * ow;
        }

        /** Unfolds {@code planes} consecutive dense planes at {@code src} into their columns at {@code dst}. */
        void im2col(long src, long dst, long planes, double padValue) {
            if (aligned()) {
                im2colAligned(src, dst, (int) planes, (float) padValue);
                return;
            }
            if (isFloat && staged(planes)) {
                im2colStaged(src, dst, (int) planes, (float) padValue);
                return;
            }
            Unsafe u = NativeMemory.UNSAFE;
            long d = dst;
            long rowBytes = (long) ow * width;
            long step = (long) s.sw() * width;
            float padF = (float) padValue;
            for (long plane = 0; plane < planes; plane++) {
                long base = src + plane * h * w * width;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int a = q0[j];
                        int b = q1[j];
                        long colOff = (long) j * s.dw() - s.pw();
                        for (int r = 0; r < oh; r++, d += rowBytes) {
                            int ir = r * s.sh() - s.ph() + i * s.dh();
                            if (ir < 0 || ir >= h) {
                                fill(u, isFloat, d, 0, ow, padF, padValue);
                                continue;
                            }
                            fill(u, isFloat, d, 0, a, padF, padValue);
                            long at = base + ((long) ir * w + colOff + (long) a * s.sw()) * width;
                            if (s.sw() == 1) {
                                u.copyMemory(at, d + (long) a * width, (long) (b - a) * width);
                            } else if (isFloat) {
                                for (int k = a; k < b; k++, at += step) {
                                    u.putFloat(d + (long) k * 4, u.getFloat(at));
                                }
                            } else {
                                for (int k = a; k < b; k++, at += step) {
                                    u.putDouble(d + (long) k * 8, u.getDouble(at));
                                }
                            }
                            fill(u, isFloat, d, b, ow, padF, padValue);
                        }
                    }
                }
            }
        }

        /** Folds the columns of {@code planes} planes at {@code cols} into the dense planes at {@code img} (zeroed first). */
        void col2im(long cols, long img, long planes) {
            if (aligned()) {
                col2imAligned(cols, img, (int) planes);
                return;
            }
            col2imDirect(cols, img, planes);
        }

        /** {@link #col2im} element by element on native memory (the path for every geometry). */
        void col2imDirect(long cols, long img, long planes) {
            Unsafe u = NativeMemory.UNSAFE;
            NativeMemory.zero(img, planes * h * w, width);
            long sp = cols;
            long step = (long) s.sw() * width;
            long rowBytes = (long) ow * width;
            for (long plane = 0; plane < planes; plane++) {
                long base = img + plane * h * w * width;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int a = q0[j];
                        int b = q1[j];
                        long colOff = (long) j * s.dw() - s.pw();
                        for (int r = 0; r < oh; r++, sp += rowBytes) {
                            int ir = r * s.sh() - s.ph() + i * s.dh();
                            if (ir < 0 || ir >= h) {
                                continue;
                            }
                            long at = base + ((long) ir * w + colOff + (long) a * s.sw()) * width;
                            if (isFloat) {
                                for (int k = a; k < b; k++, at += step) {
                                    u.putFloat(at, u.getFloat(at) + u.getFloat(sp + (long) k * 4));
                                }
                            } else {
                                for (int k = a; k < b; k++, at += step) {
                                    u.putDouble(at, u.getDouble(at) + u.getDouble(sp + (long) k * 8));
                                }
                            }
                        }
                    }
                }
            }
        }

        /**
         * {@link #im2col} for aligned geometries ({@link #margin}): each plane is copied into the
         * middle of a heap array whose margins hold the pad value, each column block is then one
         * array copy of a run of it, and the entries of the block's rows that fall beyond the
         * image's left or right edge (which the run fills from the neighbouring rows) and its rows
         * above or below the image are set to the pad value; one copy out per plane.
         */
        private void im2colAligned(long src, long dst, int planes, float pad) {
            Unsafe u = NativeMemory.UNSAFE;
            int planeLength = h * w;
            int block = oh * ow;
            float[] ext = imageBuffer(planeLength + 2 * margin);
            float[] out = columnBuffer(kh * kw * block);
            java.util.Arrays.fill(ext, 0, margin, pad);
            java.util.Arrays.fill(ext, margin + planeLength, planeLength + 2 * margin, pad);
            for (int plane = 0; plane < planes; plane++) {
                u.copyMemory(null, src + (long) plane * planeLength * 4, ext, Unsafe.ARRAY_FLOAT_BASE_OFFSET + (long) margin * 4,
                        (long) planeLength * 4);
                int d = 0;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++, d += block) {
                        int r0 = p0[i];
                        int r1 = p1[i];
                        int qa = q0[j];
                        int qb = q1[j];
                        java.util.Arrays.fill(out, d, d + r0 * ow, pad);
                        java.util.Arrays.fill(out, d + r1 * ow, d + block, pad);
                        if (r0 < r1) {
                            System.arraycopy(ext, margin + (r0 + i - s.ph()) * w + j - s.pw(), out, d + r0 * ow, (r1 - r0) * ow);
                            if (qa > 0 || qb < ow) {
                                for (int r = r0; r < r1; r++) {
                                    int row = d + r * ow;
                                    java.util.Arrays.fill(out, row, row + qa, pad);
                                    java.util.Arrays.fill(out, row + qb, row + ow, pad);
                                }
                            }
                        }
                    }
                }
                u.copyMemory(out, Unsafe.ARRAY_FLOAT_BASE_OFFSET, null, dst + (long) plane * kh * kw * block * 4, (long) kh * kw * block * 4);
            }
        }

        /**
         * {@link #col2im} for aligned geometries ({@link #margin}): per plane, each column block is
         * copied into a heap array at the position of the pixels it adds to, the entries beyond
         * the image's left or right edge are zeroed there, and the run is added to the extended
         * plane with one loop whose two arrays share their index (measured 2.3-2.9x faster than
         * the element-wise loop on native memory for 3x3 with padding 1, one thread, float32).
         * Each pixel receives the same additions in the same order as there, so the results are
         * bit for bit the same.
         */
        private void col2imAligned(long cols, long img, int planes) {
            Unsafe u = NativeMemory.UNSAFE;
            int planeLength = h * w;
            int block = oh * ow;
            int length = planeLength + 2 * margin;
            float[] ext = imageBuffer(length);
            float[] tmp = columnBuffer(length);
            long cb = cols;
            for (int plane = 0; plane < planes; plane++) {
                java.util.Arrays.fill(ext, 0, length, 0f);
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++, cb += (long) block * 4) {
                        int r0 = p0[i];
                        int r1 = p1[i];
                        int qa = q0[j];
                        int qb = q1[j];
                        if (r0 >= r1 || qa >= qb) {
                            continue;
                        }
                        int at = margin + (r0 + i - s.ph()) * w + j - s.pw();
                        int len = (r1 - r0) * ow;
                        u.copyMemory(null, cb + (long) r0 * ow * 4, tmp, Unsafe.ARRAY_FLOAT_BASE_OFFSET + (long) at * 4, (long) len * 4);
                        if (qa > 0 || qb < ow) {
                            for (int r = 0; r < r1 - r0; r++) {
                                int row = at + r * ow;
                                java.util.Arrays.fill(tmp, row, row + qa, 0f);
                                java.util.Arrays.fill(tmp, row + qb, row + ow, 0f);
                            }
                        }
                        int end = at + len;
                        for (int k = at; k < end; k++) {
                            ext[k] += tmp[k];
                        }
                    }
                }
                u.copyMemory(ext, Unsafe.ARRAY_FLOAT_BASE_OFFSET + (long) margin * 4, null, img + (long) plane * planeLength * 4,
                        (long) planeLength * 4);
            }
        }

        /**
         * Whether {@code planes} planes (one sample's) unfold through heap arrays: when small enough,
         * and padded (the direct loop fills each row's padding with a native call of its own).
         * Measured (one thread, per sample of a batch of 64): {@code [16, 16, 16]} 3x3 padding 1
         * 1.40 against 3.17 ms, {@code [3, 32, 32]} 3x3 padding 1 0.69 against 1.23; unpadded ones
         * gain nothing (LeNet's {@code [6, 12, 12]} 5x5 0.91 against 0.89 ms per 128 samples) or
         * lose ({@code [1, 28, 28]} 5x5, rows of 24: 0.68 against 0.48), so they stay direct.
         */
        private boolean staged(long planes) {
            boolean padded = s.ph() > 0 || s.pw() > 0;
            return padded && planes * Math.max(columnsPerPlane(), (long) h * w) <= STAGED_MAX;
        }

        private float[] imageBuffer(int length) {
            // per Geometry (made per call), so that threads never share them
            if (image == null || image.length < length) {
                image = new float[length];
            }
            return image;
        }

        private float[] columnBuffer(int length) {
            if (columns == null || columns.length < length) {
                columns = new float[length];
            }
            return columns;
        }

        /**
         * {@link #im2col} for float32 through heap arrays: the planes are copied in with one call,
         * unfolded with array copies and fills, and the columns copied out with one call.
         */
        private void im2colStaged(long src, long dst, int planes, float pad) {
            Unsafe u = NativeMemory.UNSAFE;
            int planeLength = h * w;
            int total = (int) (planes * columnsPerPlane());
            float[] in = imageBuffer(planes * planeLength);
            float[] out = columnBuffer(total);
            u.copyMemory(null, src, in, Unsafe.ARRAY_FLOAT_BASE_OFFSET, (long) planes * planeLength * 4);
            int sw = s.sw();
            int d = 0;
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * planeLength;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int a = q0[j];
                        int b = q1[j];
                        int colOff = j * s.dw() - s.pw();
                        for (int r = 0; r < oh; r++, d += ow) {
                            int ir = r * s.sh() - s.ph() + i * s.dh();
                            if (ir < 0 || ir >= h) {
                                java.util.Arrays.fill(out, d, d + ow, pad);
                                continue;
                            }
                            if (a > 0) {
                                java.util.Arrays.fill(out, d, d + a, pad);
                            }
                            int at = base + ir * w + colOff + a * sw;
                            if (sw == 1) {
                                System.arraycopy(in, at, out, d + a, b - a);
                            } else {
                                for (int k = a; k < b; k++, at += sw) {
                                    out[d + k] = in[at];
                                }
                            }
                            if (b < ow) {
                                java.util.Arrays.fill(out, d + b, d + ow, pad);
                            }
                        }
                    }
                }
            }
            u.copyMemory(out, Unsafe.ARRAY_FLOAT_BASE_OFFSET, null, dst, (long) total * 4);
        }
    }

    /**
     * Writes the columns of {@code x [N, C, H, W]} into {@code out} ({@code [N, C*kh*kw, oh*ow]},
     * any shape with that many elements), padding with {@code padValue}.
     */
    static void im2col(INDArray x, long kh, long kw, Conv2dSpec s, double padValue, INDArray out) {
        Geometry g = new Geometry(x.size(2), x.size(3), kh, kw, s, x.dataType());
        long planes = x.size(0) * x.size(1);
        if (out.length() != planes * g.columnsPerPlane()) {
            throw new IllegalArgumentException("im2col: output of " + out.length() + " elements for columns of " + planes * g.columnsPerPlane());
        }
        g.im2col(NativeMemory.address(x), NativeMemory.address(out), planes, padValue);
    }

    /** Writes the pad value into elements {@code [from, to)} of a row starting at {@code d}. */
    private static void fill(Unsafe u, boolean isFloat, long d, int from, int to, float padF, double padD) {
        if (from >= to) {
            return;
        }
        if (padD == 0.0) {
            u.setMemory(d + (long) from * (isFloat ? 4 : 8), (long) (to - from) * (isFloat ? 4 : 8), (byte) 0);
        } else if (isFloat) {
            for (int k = from; k < to; k++) {
                u.putFloat(d + (long) k * 4, padF);
            }
        } else {
            for (int k = from; k < to; k++) {
                u.putDouble(d + (long) k * 8, padD);
            }
        }
    }

    /**
     * Folds {@code cols} ({@code [N, C*kh*kw, oh*ow]}) into {@code out} ({@code [N, C, H, W]}, any
     * shape with that many elements): zeroes it, then adds every column entry to the pixel it came
     * from; entries that fall into the padding are dropped.
     */
    static void col2im(INDArray cols, long c, long h, long w, long kh, long kw, Conv2dSpec s, INDArray out) {
        Geometry g = new Geometry(h, w, kh, kw, s, cols.dataType());
        long planes = out.length() / (h * w);
        if (out.length() != planes * h * w || cols.length() != planes * g.columnsPerPlane() || planes % c != 0) {
            throw new IllegalArgumentException("col2im: " + cols.length() + " column entries for an image of " + out.length() + " elements");
        }
        g.col2im(NativeMemory.address(cols), NativeMemory.address(out), planes);
    }
}
