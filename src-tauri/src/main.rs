fn main() { crossway_desktop_lib::run() }
