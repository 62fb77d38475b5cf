package dev.jacflux.autodiff.specs;

import static dev.jacflux.autodiff.testing.OpSpec.of;
import static dev.jacflux.autodiff.testing.OpSpec.s;

import dev.jacflux.autodiff.ops.AvgPool2d;
import dev.jacflux.autodiff.ops.Col2Im;
import dev.jacflux.autodiff.ops.Conv2d;
import dev.jacflux.autodiff.ops.Conv2dSpec;
import dev.jacflux.autodiff.ops.Im2Col;
import dev.jacflux.autodiff.ops.MaxPool2d;
import dev.jacflux.autodiff.ops.Pool2dSpec;
import dev.jacflux.autodiff.testing.Gen;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;

/** Spec rows for im2col/col2im, conv2d and the 2-D pools. */
public final class ConvOpSpecs {
    private ConvOpSpecs() {
    }

    private static int[] p(int a, int b) {
        return new int[] {a, b};
    }

    private static Conv2dSpec conv(int[] stride, int[] padding, int[] dilation) {
        return Conv2dSpec.of(stride, padding, dilation);
    }

    public static List<OpSpec> specs() {
        Gen u = Gen.uniform();
        Conv2dSpec s2p1d2 = conv(p(2, 2), p(1, 1), p(2, 2));
        Conv2dSpec s12p01 = conv(p(1, 2), p(0, 1), p(1, 1));
        Conv2dSpec s12p10 = conv(p(1, 2), p(1, 0), p(1, 1));
        Conv2dSpec d21p01 = conv(p(1, 1), p(0, 1), p(2, 1));
        Conv2dSpec pad1 = conv(p(1, 1), p(1, 1), p(1, 1));
        Pool2dSpec k2 = Pool2dSpec.of(p(2, 2));
        Pool2dSpec k32s21p11 = Pool2dSpec.of(p(3, 2), p(2, 1), p(1, 1));
        Pool2dSpec k2s1d2 = Pool2dSpec.of(p(2, 2), p(1, 1), p(0, 0), p(2, 2));
        Pool2dSpec k3s2p1 = Pool2dSpec.of(p(3, 3), p(2, 2), p(1, 1));
        return List.of(
                // im2col / col2im alone
                of("im2col [2,2,4,5] k2x3 stride (1,2) pad (1,0)", u, x -> Im2Col.apply(x.get(0), 2, 3, s12p10), s(2, 2, 4, 5)),
                of("im2col [1,2,5,4] k2x2 pad (0,1) dilation (2,1)", u, x -> Im2Col.apply(x.get(0), 2, 2, d21p01), s(1, 2, 5, 4)),
                of("im2col [2,1,5,6] k2x2 stride 2 pad 1 dilation 2", u, x -> Im2Col.apply(x.get(0), 2, 2, s2p1d2), s(2, 1, 5, 6)),
                of("col2im [2,12,10] -> [2,2,4,5] k2x3 stride (1,2) pad (1,0)", u,
                        x -> Col2Im.apply(x.get(0), 4, 5, 2, 3, s12p10), s(2, 12, 10)),
                of("col2im [1,8,9] -> [1,2,5,6] k2x2 stride 2 pad 1 dilation 2", u,
                        x -> Col2Im.apply(x.get(0), 5, 6, 2, 2, s2p1d2), s(1, 8, 9)),
                of("im2col one window over the whole image", u, x -> Im2Col.apply(x.get(0), 3, 4, Conv2dSpec.DEFAULT), s(2, 2, 3, 4)),
                of("col2im one window over the whole image", u, x -> Col2Im.apply(x.get(0), 3, 4, 3, 4, Conv2dSpec.DEFAULT), s(2, 24, 1)),
                of("im2col then col2im", u, x -> Col2Im.apply(Im2Col.apply(x.get(0), 2, 2, pad1), 3, 4, 2, 2, pad1), s(2, 1, 3, 4)),
                // conv2d
                of("conv2d [2,2,5,6]*[3,2,2,3]+b stride 2 pad 1 dilation 2", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), x.get(2), s2p1d2), s(2, 2, 5, 6), s(3, 2, 2, 3), s(3)),
                of("conv2d [2,2,4,5]*[3,2,3,2] default spec", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), Conv2dSpec.DEFAULT), s(2, 2, 4, 5), s(3, 2, 3, 2)),
                of("conv2d [2,2,5,6]*[3,2,3,2]+b stride (1,2) pad (0,1)", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), x.get(2), s12p01), s(2, 2, 5, 6), s(3, 2, 3, 2), s(3)),
                of("conv2d [2,2,4,5]*[3,2,2,2] pad (0,1) dilation (2,1)", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), d21p01), s(2, 2, 4, 5), s(3, 2, 2, 2)),
                of("conv2d [1,2,4,4]*[2,2,3,3]+b N=1 pad 1", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), x.get(2), pad1), s(1, 2, 4, 4), s(2, 2, 3, 3), s(2)),
                of("conv2d [2,3,3,3]*[2,3,1,1] 1x1 kernel", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), Conv2dSpec.DEFAULT), s(2, 3, 3, 3), s(2, 3, 1, 1)),
                of("conv2d kernel covers the input (output 1x1)", u,
                        x -> Conv2d.apply(x.get(0), x.get(1), x.get(2), Conv2dSpec.DEFAULT), s(2, 2, 3, 3), s(3, 2, 3, 3), s(3)),
                of("conv2d -> tanh -> conv2d", u,
                        x -> Conv2d.apply(Conv2d.apply(x.get(0), x.get(1), pad1).tanh(), x.get(2), Conv2dSpec.DEFAULT),
                        s(2, 1, 4, 4), s(2, 1, 2, 2), s(2, 2, 2, 2)),
                of("conv2d of x [1,1,3,3] with itself as kernel", u,
                        x -> Conv2d.apply(x.get(0), x.get(0), pad1), s(1, 1, 3, 3)),
                // pools
                of("max_pool2d [2,2,4,6] k2", u, x -> MaxPool2d.apply(x.get(0), k2), s(2, 2, 4, 6)),
                of("max_pool2d [2,2,5,6] k3x2 stride (2,1) pad (1,1)", u, x -> MaxPool2d.apply(x.get(0), k32s21p11), s(2, 2, 5, 6)),
                of("max_pool2d [1,2,5,5] k2 stride 1 dilation 2", u, x -> MaxPool2d.apply(x.get(0), k2s1d2), s(1, 2, 5, 5)),
                of("max_pool2d [2,1,5,5] k3 stride 2 pad 1", u, x -> MaxPool2d.apply(x.get(0), k3s2p1), s(2, 1, 5, 5)),
                of("max_pool2d of tanh (smooth before the pool)", u, x -> MaxPool2d.apply(x.get(0).tanh(), k32s21p11), s(1, 2, 4, 4)),
                of("avg_pool2d [2,2,4,6] k2", u, x -> AvgPool2d.apply(x.get(0), k2), s(2, 2, 4, 6)),
                of("avg_pool2d [2,3,5,7] k2 (odd sizes: the last row and column are outside every window)", u,
                        x -> AvgPool2d.apply(x.get(0), k2), s(2, 3, 5, 7)),
                of("max_pool2d [2,3,5,7] k2 (odd sizes)", u, x -> MaxPool2d.apply(x.get(0), k2), s(2, 3, 5, 7)),
                of("conv2d [3,2,6,6]*[4,2,3,3]+b pad 1, then max_pool2d k2", u,
                        x -> MaxPool2d.apply(Conv2d.apply(x.get(0), x.get(1), x.get(2), pad1), k2), s(3, 2, 6, 6), s(4, 2, 3, 3), s(4)),
                of("avg_pool2d [2,2,5,6] k3x2 stride (2,1) pad (1,1)", u, x -> AvgPool2d.apply(x.get(0), k32s21p11), s(2, 2, 5, 6)),
                of("avg_pool2d [1,2,5,5] k2 stride 1 dilation 2", u, x -> AvgPool2d.apply(x.get(0), k2s1d2), s(1, 2, 5, 5)),
                of("avg_pool2d [2,1,5,5] k3 stride 2 pad 1", u, x -> AvgPool2d.apply(x.get(0), k3s2p1), s(2, 1, 5, 5)));
    }
}
