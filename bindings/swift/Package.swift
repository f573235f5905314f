// swift-tools-version:5.9
// The Swift bindings as a Swift package. `YinxinFFI` is the C module of the generated header; the
// native library comes from an XCFramework built by bindings/README.md's iOS steps (on macOS),
// or, for `swift test` on Linux/macOS, from target/release (`-L` below).
import PackageDescription

let package = Package(
    name: "Yinxin",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "Yinxin", targets: ["Yinxin"])],
    targets: [
        .systemLibrary(name: "YinxinFFI", path: "Sources/YinxinFFIModule"),
        .target(
            name: "Yinxin",
            dependencies: ["YinxinFFI"],
            path: "Sources",
            exclude: ["YinxinFFI.h", "YinxinFFI.modulemap", "YinxinFFIModule"],
            sources: ["Yinxin.swift"],
            linkerSettings: [.linkedLibrary("yinxin_ffi"), .unsafeFlags(["-L../../target/release"])]
        ),
        .testTarget(name: "YinxinTests", dependencies: ["Yinxin"], path: "Tests/YinxinTests"),
    ]
)
