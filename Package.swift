// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "BatchNorm",
    products: [
        .library(name: "BatchNorm", targets: ["BatchNorm"]),
        // Synchronized batch norm across processes; needs MPI (Open MPI's libopenmpi-dev), BatchNorm does not.
        .library(name: "BatchNormMPI", targets: ["BatchNormMPI"]),
        .executable(name: "bn-gpu-bench", targets: ["bn-gpu-bench"]),
        .executable(name: "bn-quickstart", targets: ["bn-quickstart"]),
        .executable(name: "bn-train", targets: ["bn-train"]),
        .executable(name: "bn-sync", targets: ["bn-sync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target BatchNorm` builds the DocC articles.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // Property-based tests: random shapes, layouts, modes and options, shrunk to the smallest failing case.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // The library's log: which OpenCL device a backend chosen without a name skipped, and why.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The OpenCL C API, from the system's ICD loader and headers.
        .systemLibrary(
            name: "COpenCL",
            pkgConfig: "OpenCL",
            providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]
        ),
        // Every .cl file, embedded in the binary so that an installed executable needs no source tree.
        .target(
            name: "BNKernels",
            path: "kernels",
            resources: [
                .embedInCode("bn_storage.cl"),
                .embedInCode("bn_fusion.cl"),
                .embedInCode("bn_sums.cl"),
                .embedInCode("bn_work.cl"),
                .embedInCode("bn_moments.cl"),
                .embedInCode("bn_gradient_sums.cl"),
                .embedInCode("bn_input_gradient.cl"),
                .embedInCode("bn_statistics.cl"),
                .embedInCode("bn_forward.cl"),
                .embedInCode("bn_backward.cl"),
                .embedInCode("bn_copy.cl"),
                .embedInCode("bn_activation.cl"),
            ]
        ),
        // The protocol, the values and the operand checks: what every backend and caller shares.
        .target(name: "BNCore"),
        // BatchNormLayer with its SGD step, and folding a trained batch norm into the layer before it.
        .target(name: "BNLayer", dependencies: ["BNCore"]),
        // SynchronizedBatchNorm and the communicators it exchanges statistics through.
        .target(name: "BNSynchronized", dependencies: ["BNCore"]),
        // What the bench, the examples and the tests share and users never see: the seeded
        // generator, its normal draw, standard error's lines, and the `--dtype` choice.
        .target(name: "BNToolSupport", dependencies: ["BNCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "BNCPU", dependencies: ["BNCore"]),
        // The shipped tuning table is embedded like the kernels, so an installed library carries it.
        .target(
            name: "BNGPU",
            dependencies: ["BNCore", "BNKernels", "COpenCL", .product(name: "Logging", package: "swift-log")],
            resources: [.embedInCode("Tuning/Tables/shipped.txt")]
        ),
        .target(name: "BatchNorm", dependencies: ["BNCore", "BNLayer", "BNSynchronized", "BNCPU", "BNGPU"]),
        // MPI's C API, from Open MPI. Only BatchNormMPI and what uses it need MPI; the core never does.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // Plain C functions over MPI's macros (MPI_COMM_WORLD, MPI_DOUBLE), which Swift cannot import.
        // It depends on CMPI for the pkg-config include and link flags: mpi.h is not on the default path.
        .target(name: "BNMPIShim", dependencies: ["CMPI"]),
        // MPICommunicator: SynchronizedBatchNorm across the processes of an MPI job.
        .target(name: "BatchNormMPI", dependencies: ["BNCore", "BNSynchronized", "BNMPIShim"]),

        .executableTarget(
            name: "bn-gpu-bench",
            dependencies: ["BatchNorm", "BNToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/bn-gpu-bench"
        ),
        .executableTarget(name: "bn-quickstart", dependencies: ["BatchNorm"], path: "Examples/bn-quickstart"),
        // zlib, for the digits data set that bn-train embeds gzip-compressed, as it is distributed.
        .systemLibrary(
            name: "CZlib",
            path: "Examples/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .executableTarget(
            name: "bn-train",
            dependencies: ["BatchNorm", "BNToolSupport", "CZlib", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/bn-train",
            exclude: ["README.md", "Data/README.md"],
            resources: [.embedInCode("Data/digits.csv.gz")]
        ),
        // Synchronized batch norm under mpirun, checked against one process on the whole batch.
        .executableTarget(
            name: "bn-sync",
            dependencies: ["BatchNorm", "BatchNormMPI", "BNToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/bn-sync"
        ),

        // The test process's environment, set as it loads: BN_AUTOTUNE=0 unless the caller set it.
        .target(name: "BNTestEnvironment", path: "Tests/BNTestEnvironment"),
        // Shared by the test targets: seeded data, the float64 reference and the comparison helper.
        .target(name: "BNTestSupport", dependencies: ["BNCore", "BNSynchronized", "BNCPU", "BNGPU", "BNToolSupport",
                                                      "BNTestEnvironment"],
                path: "Tests/BNTestSupport"),
        .testTarget(name: "BNCoreTests", dependencies: ["BNCore", "BNTestSupport"]),
        .testTarget(name: "BNCPUTests", dependencies: ["BNCPU", "BNTestSupport"]),
        .testTarget(name: "BNGPUTests", dependencies: [
            "BNGPU", "BNCPU", "BNLayer", "BNSynchronized", "BNKernels", "BNTestSupport",
            .product(name: "InMemoryLogging", package: "swift-log"),
        ]),
        .testTarget(name: "EquivalenceTests", dependencies: [
            "BatchNorm", "BNTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "BatchNormTests", dependencies: ["BatchNorm", "BNTestSupport"]),
        // MPICommunicator's parts that need no MPI job: errors, checks, the state guards.
        .testTarget(name: "BatchNormMPITests", dependencies: ["BatchNorm", "BatchNormMPI"]),
        // The bench's arguments, parsed in-process (`@testable import bn_gpu_bench`) and run as a subprocess.
        .testTarget(
            name: "BenchTests",
            dependencies: ["bn-gpu-bench", "BNTestSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The training example: its data, network and reports in-process, and the binary as a subprocess.
        .testTarget(name: "BNTrainTests", dependencies: ["bn-train", "BNTestSupport"]),
        // bn-sync's comparison in-process, and the binary under mpirun as a subprocess.
        .testTarget(name: "BNSyncTests", dependencies: ["bn-sync", "BNTestSupport"]),
    ]
)
