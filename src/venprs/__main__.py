from venprs.cli import main

main()
