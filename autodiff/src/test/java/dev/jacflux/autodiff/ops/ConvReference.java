package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Plain-loop float64 references for the convolution and pooling kernels, written from the definitions. */
final class ConvReference {
    private ConvReference() {
    }

    private static double[] data(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** unfold: [N, C, H, W] -> [N, C*kh*kw, oh*ow], zero padding. */
    static INDArray im2col(INDArray x, int kh, int kw, Conv2dSpec s) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int oh = (h + 2 * s.ph() - s.dh() * (kh - 1) - 1) / s.sh() + 1;
        int ow = (w + 2 * s.pw() - s.dw() * (kw - 1) - 1) / s.sw() + 1;
        double[] xs = data(x);
        double[] out = new double[n * c * kh * kw * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int row = (ch * kh + i) * kw + j;
                        for (int p = 0; p < oh; p++) {
                            for (int q = 0; q < ow; q++) {
                                int y = p * s.sh() - s.ph() + i * s.dh();
                                int xx = q * s.sw() - s.pw() + j * s.dw();
                                double v = y >= 0 && y < h && xx >= 0 && xx < w ? xs[((b * c + ch) * h + y) * w + xx] : 0;
                                out[((b * c * kh * kw) + row) * oh * ow + p * ow + q] = v;
                            }
                        }
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {n, (long) c * kh * kw, (long) oh * ow}, DataType.DOUBLE);
    }

    /** fold: [N, C*kh*kw, oh*ow] -> [N, C, H, W], summing overlaps, dropping padding. */
    static INDArray col2im(INDArray cols, int c, int h, int w, int kh, int kw, Conv2dSpec s) {
        int n = (int) cols.size(0);
        int oh = (h + 2 * s.ph() - s.dh() * (kh - 1) - 1) / s.sh() + 1;
        int ow = (w + 2 * s.pw() - s.dw() * (kw - 1) - 1) / s.sw() + 1;
        double[] cs = data(cols);
        double[] out = new double[n * c * h * w];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int row = (ch * kh + i) * kw + j;
                        for (int p = 0; p < oh; p++) {
                            for (int q = 0; q < ow; q++) {
                                int y = p * s.sh() - s.ph() + i * s.dh();
                                int xx = q * s.sw() - s.pw() + j * s.dw();
                                if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                    out[((b * c + ch) * h + y) * w + xx] += cs[((b * c * kh * kw) + row) * oh * ow + p * ow + q];
                                }
                            }
                        }
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {n, c, h, w}, DataType.DOUBLE);
    }

    /** conv2d (cross-correlation) with PyTorch weights [O, C, kh, kw] and optional bias. */
    static INDArray conv2d(INDArray x, INDArray wt, INDArray bias, Conv2dSpec s) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int o = (int) wt.size(0), kh = (int) wt.size(2), kw = (int) wt.size(3);
        int oh = (h + 2 * s.ph() - s.dh() * (kh - 1) - 1) / s.sh() + 1;
        int ow = (w + 2 * s.pw() - s.dw() * (kw - 1) - 1) / s.sw() + 1;
        double[] xs = data(x);
        double[] ws = data(wt);
        double[] bs = bias == null ? null : data(bias);
        double[] out = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < o; f++) {
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double acc = bs == null ? 0 : bs[f];
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int y = p * s.sh() - s.ph() + i * s.dh();
                                    int xx = q * s.sw() - s.pw() + j * s.dw();
                                    if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                        acc += xs[((b * c + ch) * h + y) * w + xx] * ws[((f * c + ch) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        out[((b * o + f) * oh + p) * ow + q] = acc;
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {n, o, oh, ow}, DataType.DOUBLE);
    }

    /** PyTorch max_pool2d (ceil_mode=False, -inf padding) or avg_pool2d (count_include_pad=True). */
    static INDArray pool(INDArray x, Pool2dSpec s, boolean max) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int oh = (h + 2 * s.ph() - s.dh() * (s.kh() - 1) - 1) / s.sh() + 1;
        int ow = (w + 2 * s.pw() - s.dw() * (s.kw() - 1) - 1) / s.sw() + 1;
        double[] xs = data(x);
        double[] out = new double[n * c * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        for (int i = 0; i < s.kh(); i++) {
                            for (int j = 0; j < s.kw(); j++) {
                                int y = p * s.sh() - s.ph() + i * s.dh();
                                int xx = q * s.sw() - s.pw() + j * s.dw();
                                boolean in = y >= 0 && y < h && xx >= 0 && xx < w;
                                double v = in ? xs[((b * c + ch) * h + y) * w + xx] : (max ? Double.NEGATIVE_INFINITY : 0);
                                acc = max ? Math.max(acc, v) : acc + v;
                            }
                        }
                        out[((b * c + ch) * oh + p) * ow + q] = max ? acc : acc / (s.kh() * s.kw());
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {n, c, oh, ow}, DataType.DOUBLE);
    }
}
