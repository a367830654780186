{
  "targets": [
    {
      "target_name": "pathwire_tun",
      "sources": [
        "native/addon.cc",
        "native-common/errno-error.cc",
        "native/netlink.cc",
        "native/netns.cc",
        "native/offload.cc",
        "native/offload-hooks.cc",
        "native/tun-device.cc"
      ],
      "include_dirs": ["native-common", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
