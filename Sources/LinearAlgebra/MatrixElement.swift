/// The scalar types LinearAlgebra's dense kernels support: `Float` and `Double`.
///
/// The BLAS path dispatches on the concrete type (`cblas_s…` / `cblas_d…`); the Swift path is
/// generic and specialised by the compiler.
public protocol MatrixElement: BinaryFloatingPoint, SIMDScalar, Sendable, BitwiseCopyable, Codable {}

extension Float: MatrixElement {}
extension Double: MatrixElement {}
