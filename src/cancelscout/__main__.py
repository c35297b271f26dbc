from cancelscout.cli.app import main

main()
