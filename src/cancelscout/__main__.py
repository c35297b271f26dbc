from cancelscout.cli import main

main()
